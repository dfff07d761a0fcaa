import type { Knex } from 'knex';

// What the router needs on conversations and agents:
// - conversations.routing_pending: set by the inbound statement on a new conversation and on one
//   reopened after resolution; the router clears it when it has decided (a crash between commit
//   and routing leaves it set, and the sweeper routes it later).
// - conversations.assigned_at: when the current assignee got it (the first-response target counts
//   from the later of this and the customer's last message, so an offer restarts the clock).
// - routing_turns (+ routing_turn_seq): when each agent last got a conversation in each routing scope, in the database
//   so that two processes agree on whose turn it is (round robin; load balance's tie-break).
// - a partial index to count each agent's open conversations (capacity) without scanning.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('conversations', (t) => {
    t.boolean('routing_pending').notNullable().defaultTo(false);
    t.timestamp('assigned_at', { useTz: true });
  });
  await knex.raw(`CREATE INDEX conversations_routing_pending_idx ON conversations (id) WHERE routing_pending`);
  await knex.raw(`CREATE INDEX conversations_assignee_active_idx ON conversations (assignee_id) WHERE status <> 'resolved' AND assignee_id IS NOT NULL`);
  await knex.schema.createTable('routing_turns', (t) => {
    t.text('scope').notNullable();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    // A turn number, not a time: a batch assigns many conversations in one instant, in order.
    t.bigInteger('last_turn').notNullable();
    t.timestamp('last_assigned_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.bigInteger('assigned_count').notNullable().defaultTo(0);
    t.primary(['scope', 'user_id']);
  });
  await knex.raw('CREATE SEQUENCE routing_turn_seq');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP SEQUENCE routing_turn_seq');
  await knex.schema.dropTable('routing_turns');
  await knex.raw('DROP INDEX conversations_assignee_active_idx');
  await knex.raw('DROP INDEX conversations_routing_pending_idx');
  await knex.schema.alterTable('conversations', (t) => {
    t.dropColumn('routing_pending');
    t.dropColumn('assigned_at');
  });
}
