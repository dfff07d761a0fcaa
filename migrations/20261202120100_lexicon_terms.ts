import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('lexicon_terms', (t) => {
    t.uuid('id').primary();
    // As written by whoever added it; `normalized` is what the matcher compares (normalise.ts).
    t.text('term').notNullable();
    t.text('normalized').notNullable();
    t.text('locale').notNullable();
    t.text('action').notNullable();
    // 'default' (policies/lexicon/, merged at start), 'manual' or 'import'.
    t.text('source').notNullable();
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['locale', 'normalized']);
  });
  await knex.raw(`ALTER TABLE lexicon_terms ADD CONSTRAINT lexicon_terms_action_check CHECK (action IN ('block', 'flag'))`);
  // The list page searches terms by their normalised form, as the matcher reads them.
  await knex.raw(`CREATE INDEX lexicon_terms_normalized_idx ON lexicon_terms (normalized text_pattern_ops)`);
  // One row: bumped by every change of the terms, so each process knows cheaply when to recompile.
  await knex.schema.createTable('lexicon_version', (t) => {
    t.integer('id').primary();
    t.bigInteger('version').notNullable();
  });
  await knex.raw(`ALTER TABLE lexicon_version ADD CONSTRAINT lexicon_version_single_row CHECK (id = 1)`);
  await knex('lexicon_version').insert({ id: 1, version: 0 });
  // The default terms (policies/lexicon/) ever merged in: a default an admin deleted stays deleted.
  await knex.schema.createTable('lexicon_defaults_merged', (t) => {
    t.text('locale').notNullable();
    t.text('normalized').notNullable();
    t.timestamp('merged_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['locale', 'normalized']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('lexicon_defaults_merged');
  await knex.schema.dropTable('lexicon_version');
  await knex.schema.dropTable('lexicon_terms');
}
