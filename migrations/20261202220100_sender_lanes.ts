import type { Knex } from 'knex';

// The sender's lanes (issue 11, item 6).
// - outbox.priority: agent replies (0) go before broadcast traffic (1) of the same number; the
//   due index leads with it so a claim reads the right rows first without sorting the backlog.
// - outbox.window_closes_at: when the recipient's customer-service window closes (null: closed
//   at enqueue). A send after it counts towards the number's messaging-limit tier.
// - outbox.held_reason: why a queued row waits ('tier', 'paused', 'spam_rate', 'pair'), shown on
//   the Numbers page.
// - channel_lanes: one row per number's lane: the lease that makes one worker process own the
//   lane at a time (the limits then hold in total, not per process), and the admin pause.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.smallint('priority').notNullable().defaultTo(0);
    t.timestamp('window_closes_at', { useTz: true });
    t.text('held_reason');
  });
  await knex.raw(`ALTER TABLE outbox ADD CONSTRAINT outbox_priority_check CHECK (priority IN (0, 1))`);
  await knex.raw(`DROP INDEX outbox_due_idx`);
  await knex.raw(`CREATE INDEX outbox_due_idx ON outbox (channel_id, priority, next_attempt_at) WHERE state = 'queued'`);
  // Rebuilding a lane's tier and pair state on takeover reads the last 24 hours of sends.
  await knex.raw(`CREATE INDEX outbox_sent_recent_idx ON outbox (channel_id, done_at) WHERE state = 'sent'`);

  await knex.schema.createTable('channel_lanes', (t) => {
    t.uuid('channel_id').primary().references('channels.id').onDelete('CASCADE');
    t.text('owner');
    t.timestamp('lease_expires_at', { useTz: true });
    t.timestamp('paused_at', { useTz: true });
    t.text('paused_reason');
    // The quality rating the lane last saw: a drop from it pauses the lane.
    t.text('quality_seen');
  });
  await knex.raw(
    `ALTER TABLE channel_lanes ADD CONSTRAINT channel_lanes_reason_check CHECK (paused_reason IS NULL OR paused_reason IN ('quality_dropped', 'token_invalid', 'spam_rate'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('channel_lanes');
  await knex.raw(`DROP INDEX outbox_sent_recent_idx`);
  await knex.raw(`DROP INDEX outbox_due_idx`);
  await knex.raw(`ALTER TABLE outbox DROP CONSTRAINT outbox_priority_check`);
  await knex.schema.alterTable('outbox', (t) => {
    t.dropColumn('priority');
    t.dropColumn('window_closes_at');
    t.dropColumn('held_reason');
  });
  await knex.raw(`CREATE INDEX outbox_due_idx ON outbox (channel_id, next_attempt_at) WHERE state = 'queued'`);
}
