import type { Knex } from 'knex';

// The rate card (issue 11, item 7): what Meta charges per message, by the recipient's country and
// the conversation category, from a date on. Cards are dated, never edited in place once a later
// card exists, so a month's spend is always costed with the prices of its day. Country '*' is the
// price for every country the card does not list ("rest of the world").
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rate_cards', (t) => {
    t.uuid('id').primary();
    t.date('effective_from').notNullable().unique();
    t.specificType('currency', 'char(3)').notNullable();
    t.text('note').notNullable().defaultTo('');
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('rate_card_prices', (t) => {
    t.uuid('rate_card_id').notNullable().references('rate_cards.id').onDelete('CASCADE');
    t.text('country').notNullable();
    t.text('category').notNullable();
    t.decimal('price', 12, 6).notNullable();
    t.primary(['rate_card_id', 'country', 'category']);
  });
  await knex.raw(`ALTER TABLE rate_card_prices ADD CONSTRAINT rate_card_prices_category_check CHECK (category IN ('marketing', 'utility', 'authentication', 'service'))`);
  await knex.raw(`ALTER TABLE rate_card_prices ADD CONSTRAINT rate_card_prices_country_check CHECK (country = '*' OR country ~ '^[A-Z]{2}$')`);
  await knex.raw(`ALTER TABLE rate_card_prices ADD CONSTRAINT rate_card_prices_price_check CHECK (price >= 0)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rate_card_prices');
  await knex.schema.dropTable('rate_cards');
}
