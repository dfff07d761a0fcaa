import type { Knex } from 'knex';

// Per-message costs (issue 11, item 7): each sent message, costed once from the status webhook's
// `pricing` object and the rate card in force on the message's day. No foreign key to messages:
// it is partitioned by month (a key would have to carry created_at), and a cost outlives the
// message's retention, since it is spend, not content (it holds a country, never a number).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('message_costs', (t) => {
    t.uuid('message_id').primary();
    t.timestamp('message_created_at', { useTz: true }).notNullable();
    t.uuid('channel_id').notNullable().references('channels.id');
    t.text('country');
    // Meta's category as it came (marketing, utility, authentication, service, or a newer one).
    t.text('category');
    t.boolean('billable').notNullable();
    t.text('pricing_model');
    t.text('pricing_type');
    // Null when unpriced (no card, or no price for the country and category): counted, never guessed.
    t.decimal('amount', 12, 6);
    t.specificType('currency', 'char(3)');
    t.uuid('rate_card_id').references('rate_cards.id').onDelete('SET NULL');
    t.uuid('broadcast_id');
    t.timestamp('costed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE INDEX message_costs_month_idx ON message_costs (message_created_at)');
  // The broadcasts module adds the same column in its own migration; whichever runs first wins.
  await knex.raw('ALTER TABLE outbox ADD COLUMN IF NOT EXISTS broadcast_id uuid');
  await knex.raw('CREATE INDEX IF NOT EXISTS outbox_broadcast_idx ON outbox (broadcast_id) WHERE broadcast_id IS NOT NULL');
  // Budget alerts raised: the primary key makes each threshold fire once per month.
  await knex.schema.createTable('budget_alerts', (t) => {
    t.date('month').notNullable();
    t.integer('threshold_percent').notNullable();
    t.decimal('budget', 14, 2).notNullable();
    t.decimal('spent', 14, 6).notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.timestamp('reached_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['month', 'threshold_percent']);
  });
}

// outbox.broadcast_id stays: the broadcasts module may own it by now.
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('budget_alerts');
  await knex.schema.dropTable('message_costs');
}
