import type { Knex } from 'knex';

// The contact model that contacts, segments, imports and broadcasts share.
// - Labels are rows of their own (renaming one renames it everywhere); a contact carries the ids
//   of its labels in an array, so a segment's "all / any / none of these labels" is one GIN-indexed
//   `@>` / `&&` test and counting 100,000 contacts never joins.
// - Custom attributes are typed by an admin's definition; values live in `contacts.attributes`
//   keyed by the definition's key (GIN-indexed for segment filters).
// - `last_inbound_at` lets a segment filter on the last time a customer wrote without reading
//   the partitioned messages table.
// - Notes are written by agents about a contact; they go with the contact (GDPR access and
//   erasure follow it).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('labels', (t) => {
    t.uuid('id').primary();
    t.text('name').notNullable();
    t.text('color').notNullable().defaultTo('#6b7280');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE UNIQUE INDEX labels_name_unique ON labels (lower(name))');

  await knex.schema.createTable('contact_attributes', (t) => {
    t.text('key').primary();
    t.text('name').notNullable();
    t.text('type').notNullable();
    t.specificType('options', 'text[]').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE contact_attributes ADD CONSTRAINT contact_attributes_key_format CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$')`);
  await knex.raw(`ALTER TABLE contact_attributes ADD CONSTRAINT contact_attributes_type_known CHECK (type IN ('text', 'number', 'date', 'boolean', 'choice'))`);

  await knex.schema.alterTable('contacts', (t) => {
    t.dropColumn('labels');
    t.specificType('label_ids', 'uuid[]').notNullable().defaultTo('{}');
    t.text('region');
    t.text('language');
    t.timestamp('last_inbound_at', { useTz: true });
  });
  await knex.raw('CREATE INDEX contacts_label_ids_idx ON contacts USING gin (label_ids)');
  await knex.raw('CREATE INDEX contacts_attributes_idx ON contacts USING gin (attributes jsonb_path_ops)');
  await knex.raw('CREATE INDEX contacts_country_idx ON contacts (country)');
  await knex.raw('CREATE INDEX contacts_last_inbound_idx ON contacts (last_inbound_at)');
  await knex.raw(`ALTER TABLE contacts ADD CONSTRAINT contacts_opt_state_known CHECK (opt_state IN ('unknown', 'in', 'out'))`);

  await knex.schema.createTable('contact_notes', (t) => {
    t.uuid('id').primary();
    t.uuid('contact_id').notNullable().references('contacts.id').onDelete('CASCADE');
    t.uuid('author_id').references('users.id').onDelete('SET NULL');
    t.text('body').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['contact_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('contact_notes');
  await knex.raw('ALTER TABLE contacts DROP CONSTRAINT contacts_opt_state_known');
  await knex.schema.alterTable('contacts', (t) => {
    t.dropColumn('last_inbound_at');
    t.dropColumn('language');
    t.dropColumn('region');
    t.dropColumn('label_ids');
    t.specificType('labels', 'text[]').notNullable().defaultTo('{}');
  });
  await knex.schema.dropTable('contact_attributes');
  await knex.schema.dropTable('labels');
}
