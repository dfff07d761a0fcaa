import type { Knex } from 'knex';

// The raw copy of an inbound message must keep exactly what Meta signed. jsonb refuses
// `\u0000` and lone surrogates (`\ud800`), which a JSON string may escape; json keeps the text
// as given (the other columns hold the text with such characters replaced by U+FFFD).
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE messages ALTER COLUMN raw TYPE json USING raw::json');
}

// Fails if a stored raw message holds one of those escapes, which jsonb cannot represent.
export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE messages ALTER COLUMN raw TYPE jsonb USING raw::jsonb');
}
