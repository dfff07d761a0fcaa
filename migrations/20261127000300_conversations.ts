import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('conversations', (t) => {
    t.uuid('id').primary();
    t.uuid('contact_id').notNullable().references('contacts.id');
    t.uuid('channel_id').notNullable().references('channels.id');
    t.text('status').notNullable().defaultTo('open');
    t.uuid('assignee_id').references('users.id').onDelete('SET NULL');
    t.uuid('team_id').references('teams.id').onDelete('SET NULL');
    t.integer('priority').notNullable().defaultTo(0);
    t.timestamp('first_inbound_at', { useTz: true });
    t.timestamp('first_response_at', { useTz: true });
    t.timestamp('resolved_at', { useTz: true });
    // The 24-hour customer-service window runs from the last inbound message.
    t.timestamp('last_inbound_at', { useTz: true });
    t.timestamp('last_message_at', { useTz: true });
    t.text('last_message_preview');
    t.text('last_message_direction');
    t.integer('unread_count').notNullable().defaultTo(0);
    t.smallint('csat');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['assignee_id', 'last_message_at']);
    t.index(['channel_id', 'last_message_at']);
    t.index(['status', 'last_message_at']);
  });
  await knex.raw(`ALTER TABLE conversations ADD CONSTRAINT conversations_status_check CHECK (status IN ('open', 'pending', 'resolved'))`);
  // One conversation thread per contact and number: a new inbound message after resolution
  // reopens it, so the whole history stays in one place (and there is never a second open one).
  await knex.raw(`CREATE UNIQUE INDEX conversations_contact_channel_key ON conversations (contact_id, channel_id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('conversations');
}
