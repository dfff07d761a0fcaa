import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('media', (t) => {
    t.uuid('id').primary();
    t.uuid('channel_id').references('channels.id');
    t.text('direction').notNullable();
    t.text('mime_type').notNullable();
    t.bigInteger('size');
    t.text('sha256');
    t.text('filename');
    // Where the bytes live in the media store (a path key, or an S3 object key).
    t.text('storage_key');
    // Meta's id: inbound ids expire in 7 days, uploads in 30.
    t.text('meta_media_id');
    t.text('state').notNullable().defaultTo('stored');
    t.jsonb('error');
    t.uuid('uploaded_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE media ADD CONSTRAINT media_state_check CHECK (state IN ('pending', 'stored', 'failed'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('media');
}
