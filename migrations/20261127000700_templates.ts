import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('templates', (t) => {
    t.uuid('id').primary();
    t.text('waba_id').notNullable();
    t.text('meta_template_id');
    t.text('name').notNullable();
    t.text('language').notNullable();
    t.text('category');
    t.text('status').notNullable();
    t.text('status_reason');
    t.jsonb('components').notNullable().defaultTo('[]');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['waba_id', 'name', 'language']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('templates');
}
