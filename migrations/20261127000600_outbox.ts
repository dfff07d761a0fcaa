import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('outbox', (t) => {
    t.uuid('id').primary();
    t.uuid('message_id').notNullable();
    t.timestamp('message_created_at', { useTz: true }).notNullable();
    t.uuid('channel_id').notNullable().references('channels.id');
    t.text('to_wa_id').notNullable();
    // The Graph API request body, built when the message was composed.
    t.jsonb('payload').notNullable();
    t.text('state').notNullable().defaultTo('queued');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.jsonb('last_error');
    t.text('claimed_by');
    t.timestamp('claimed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('done_at', { useTz: true });
  });
  await knex.raw(`ALTER TABLE outbox ADD CONSTRAINT outbox_state_check CHECK (state IN ('queued', 'sending', 'sent', 'failed'))`);
  // The sender claims due rows per channel; finished rows are not in this index.
  await knex.raw(`CREATE INDEX outbox_due_idx ON outbox (channel_id, next_attempt_at) WHERE state = 'queued'`);
  await knex.raw(`CREATE INDEX outbox_inflight_idx ON outbox (claimed_at) WHERE state = 'sending'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('outbox');
}
