import type { Knex } from 'knex';

// One row per retention run, with what it removed (the panel lists the last ones; the audit
// event of the run carries the same counts).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('retention_runs', (t) => {
    t.uuid('id').primary();
    t.text('trigger').notNullable();
    t.uuid('started_by');
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('finished_at', { useTz: true });
    t.jsonb('counts').notNullable().defaultTo('{}');
    t.index(['started_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('retention_runs');
}
