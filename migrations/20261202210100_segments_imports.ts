import type { Knex } from 'knex';

// Saved segments (a named contact filter) and CSV contact imports.
// - `contact_imports` is one uploaded file and its last run (dry run or import), with the
//   progress counters the panel polls.
// - `contact_import_rows` holds one decision per row of the run (create / update / skip / reject,
//   with the reason). The real run stages every accepted row here first and applies them to
//   `contacts` in one transaction at the end, so a failure before or during the apply leaves the
//   base untouched. After the apply only the rejected rows stay (the error report). The table is
//   logged (not UNLOGGED) so that a report survives a database restart.
// - The partial unique index (import, wa_id) de-duplicates a file of 1,000,000 rows in the
//   database instead of in the worker's memory.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('segments', (t) => {
    t.uuid('id').primary();
    t.text('name').notNullable();
    t.jsonb('filter').notNullable();
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE UNIQUE INDEX segments_name_unique ON segments (lower(name))');

  await knex.schema.createTable('contact_imports', (t) => {
    t.uuid('id').primary();
    t.text('filename').notNullable();
    t.bigInteger('size_bytes').notNullable();
    t.specificType('header', 'text[]').notNullable();
    t.text('status').notNullable().defaultTo('uploaded');
    t.boolean('dry_run').notNullable().defaultTo(true);
    t.jsonb('options');
    t.jsonb('new_labels').notNullable().defaultTo('[]');
    t.integer('rows_read').notNullable().defaultTo(0);
    t.integer('created_count').notNullable().defaultTo(0);
    t.integer('updated_count').notNullable().defaultTo(0);
    t.integer('skipped_count').notNullable().defaultTo(0);
    t.integer('rejected_count').notNullable().defaultTo(0);
    t.text('error');
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
  });
  await knex.raw(`ALTER TABLE contact_imports ADD CONSTRAINT contact_imports_status_known CHECK (status IN ('uploaded', 'queued', 'running', 'done', 'failed'))`);

  await knex.schema.createTable('contact_import_rows', (t) => {
    t.uuid('import_id').notNullable().references('contact_imports.id').onDelete('CASCADE');
    t.integer('row_no').notNullable();
    t.text('decision').notNullable();
    t.text('reason');
    t.text('detail');
    t.text('line');
    t.text('wa_id');
    t.text('profile_name');
    t.text('country');
    t.text('language');
    t.specificType('label_ids', 'uuid[]');
    t.jsonb('attributes');
    t.primary(['import_id', 'row_no']);
  });
  await knex.raw('CREATE UNIQUE INDEX contact_import_rows_wa_id ON contact_import_rows (import_id, wa_id) WHERE wa_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('contact_import_rows');
  await knex.schema.dropTable('contact_imports');
  await knex.schema.dropTable('segments');
}
