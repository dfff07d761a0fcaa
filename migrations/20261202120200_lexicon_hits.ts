import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('lexicon_hits', (t) => {
    t.uuid('id').primary();
    // A deleted term keeps its hits for review and statistics: its text is copied here.
    t.uuid('term_id').references('lexicon_terms.id').onDelete('SET NULL');
    t.text('term').notNullable();
    t.text('action').notNullable();
    t.text('direction').notNullable();
    t.uuid('conversation_id').notNullable().references('conversations.id').onDelete('CASCADE');
    // messages is partitioned (its key includes created_at), so no foreign key: a blocked message
    // was never stored and has neither.
    t.uuid('message_id');
    t.timestamp('message_created_at', { useTz: true });
    // The agent who wrote an outbound message (null for inbound).
    t.uuid('author_id').references('users.id').onDelete('SET NULL');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.uuid('reviewed_by').references('users.id').onDelete('SET NULL');
    t.timestamp('reviewed_at', { useTz: true });
  });
  await knex.raw(`ALTER TABLE lexicon_hits ADD CONSTRAINT lexicon_hits_action_check CHECK (action IN ('block', 'flag'))`);
  await knex.raw(`ALTER TABLE lexicon_hits ADD CONSTRAINT lexicon_hits_direction_check CHECK (direction IN ('in', 'out'))`);
  // Statistics per term, and the review queue (newest unreviewed first).
  await knex.raw(`CREATE INDEX lexicon_hits_term_idx ON lexicon_hits (term_id, at)`);
  await knex.raw(`CREATE INDEX lexicon_hits_review_idx ON lexicon_hits (at DESC) WHERE reviewed_at IS NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('lexicon_hits');
}
