import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('contacts', (t) => {
    t.uuid('id').primary();
    t.text('wa_id').notNullable().unique();
    t.text('profile_name');
    t.text('country');
    t.specificType('labels', 'text[]').notNullable().defaultTo('{}');
    t.jsonb('attributes').notNullable().defaultTo('{}');
    t.text('opt_state').notNullable().defaultTo('unknown');
    t.text('opt_source');
    t.timestamp('opt_changed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('contacts');
}
