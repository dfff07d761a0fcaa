import type { Knex } from 'knex';

// Broadcasts (issue 11, items 4 and 5).
// - broadcasts: a template sent to a saved segment from one or more numbers, with the mapping of
//   the template's variables to contact fields, now or at `scheduled_at`.
// - broadcast_recipients: the audience, materialised once when the broadcast starts. The unique
//   (broadcast_id, contact_id) is what makes a recipient impossible to enqueue twice, whatever
//   crashes and retries happen; `state` says how far the broadcast got with each one (pending:
//   not yet in the outbox; queued: its outbox row and message exist; excluded; cancelled). How the
//   send went afterwards is the message's status (sent, delivered, read, failed with a code).
// - outbox.broadcast_id: which broadcast an outbox row (and through outbox.message_id, the
//   message) belongs to; spend per broadcast and pause/resume/cancel read it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('broadcasts', (t) => {
    t.uuid('id').primary();
    t.text('name').notNullable();
    t.uuid('template_id').notNullable().references('templates.id');
    t.uuid('segment_id').notNullable().references('segments.id');
    t.specificType('channel_ids', 'uuid[]').notNullable();
    t.jsonb('mapping').notNullable();
    t.text('status').notNullable();
    t.timestamp('scheduled_at', { useTz: true });
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    // When its job last ran: one chain of follow-up runs per broadcast, restarted by the
    // scheduler's tick when it went quiet (its worker died).
    t.timestamp('run_at', { useTz: true });
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE broadcasts ADD CONSTRAINT broadcasts_status_check CHECK (status IN ('scheduled', 'running', 'paused', 'completed', 'cancelled'))`);
  // The scheduler looks for broadcasts due to start or still running.
  await knex.raw(`CREATE INDEX broadcasts_active_idx ON broadcasts (status, scheduled_at) WHERE status IN ('scheduled', 'running')`);

  await knex.schema.createTable('broadcast_recipients', (t) => {
    t.uuid('id').primary();
    t.uuid('broadcast_id').notNullable().references('broadcasts.id').onDelete('CASCADE');
    t.uuid('contact_id').notNullable().references('contacts.id').onDelete('CASCADE');
    t.uuid('channel_id').references('channels.id');
    t.text('state').notNullable();
    // Why a contact was left out: 'opted_out' or 'no_marketing_opt_in'.
    t.text('excluded_reason');
    t.uuid('outbox_id');
    t.uuid('message_id');
    t.timestamp('message_created_at', { useTz: true });
    t.timestamp('enqueued_at', { useTz: true });
  });
  await knex.raw(`ALTER TABLE broadcast_recipients ADD CONSTRAINT broadcast_recipients_state_check CHECK (state IN ('pending', 'queued', 'excluded', 'cancelled'))`);
  await knex.raw('CREATE UNIQUE INDEX broadcast_recipients_contact_key ON broadcast_recipients (broadcast_id, contact_id)');
  // The enqueue job takes the next pending recipients of a broadcast.
  await knex.raw(`CREATE INDEX broadcast_recipients_pending_idx ON broadcast_recipients (broadcast_id, id) WHERE state = 'pending'`);

  await knex.schema.alterTable('outbox', (t) => {
    t.uuid('broadcast_id');
  });
  await knex.raw('CREATE INDEX outbox_broadcast_idx ON outbox (broadcast_id, state) WHERE broadcast_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX outbox_broadcast_idx');
  await knex.schema.alterTable('outbox', (t) => {
    t.dropColumn('broadcast_id');
  });
  await knex.schema.dropTable('broadcast_recipients');
  await knex.schema.dropTable('broadcasts');
}
