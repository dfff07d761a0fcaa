import type { Knex } from 'knex';

// E-discovery exports: one row per bundle a compliance officer asked for. The search that
// defines it (query text included: this is not the audit log) is kept so the job can run it,
// progress is counted as messages stream into the bundle, and the bundle expires with the
// retention period of the `exports` class, after which the file is deleted and the row says so.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('discovery_exports', (t) => {
    t.uuid('id').primary();
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.jsonb('filters').notNullable();
    t.text('state').notNullable().defaultTo('queued');
    t.integer('total_messages');
    t.integer('done_messages').notNullable().defaultTo(0);
    t.integer('media_files').notNullable().defaultTo(0);
    // Where the zip lives in the media store, its SHA-256 and size, once done.
    t.text('file_key');
    t.text('sha256');
    t.bigInteger('size');
    t.text('error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.timestamp('expires_at', { useTz: true }).notNullable();
  });
  await knex.raw(`ALTER TABLE discovery_exports ADD CONSTRAINT discovery_exports_state_check CHECK (state IN ('queued', 'running', 'done', 'failed', 'expired'))`);
  await knex.raw('CREATE INDEX discovery_exports_created_idx ON discovery_exports (created_at DESC)');
  await knex.raw(`CREATE INDEX discovery_exports_expiry_idx ON discovery_exports (expires_at) WHERE state <> 'expired'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('discovery_exports');
}
