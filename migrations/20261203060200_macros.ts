import type { Knex } from 'knex';

// Macros: a named, ordered list of actions run on a conversation in one click (label, team,
// send, resolve). owner_id NULL is a shared macro; otherwise the owner's own. The actions are
// JSON checked by the macros module's schema when written; each step's command checks its ids
// (label, team, canned response) again when it runs.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('macros', (t) => {
    t.uuid('id').primary();
    t.uuid('owner_id').references('users.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.jsonb('actions').notNullable();
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('macros');
}
