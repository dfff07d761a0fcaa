import type { Knex } from 'knex';

// Canned responses: reusable replies an agent inserts from the composer with a `/shortcut`.
// owner_id NULL is a shared response (managed by supervisors); otherwise it is the owner's own.
// A shortcut is unique per owner and among the shared ones: two partial unique indexes, because
// a plain UNIQUE (owner_id, shortcut) would let NULL owners repeat a shortcut.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('canned_responses', (t) => {
    t.uuid('id').primary();
    t.uuid('owner_id').references('users.id').onDelete('CASCADE');
    t.text('shortcut').notNullable();
    t.text('title').notNullable();
    t.text('body').notNullable();
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE UNIQUE INDEX canned_responses_personal_shortcut ON canned_responses (owner_id, shortcut) WHERE owner_id IS NOT NULL');
  await knex.raw('CREATE UNIQUE INDEX canned_responses_shared_shortcut ON canned_responses (shortcut) WHERE owner_id IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('canned_responses');
}
