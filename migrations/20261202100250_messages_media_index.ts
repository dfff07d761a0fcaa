import type { Knex } from 'knex';

// Retention removes a media file only when no remaining message refers to it: that lookup,
// once per removed message with media, needs an index (partitioned, like the table).
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX messages_media_idx ON messages (media_id) WHERE media_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX messages_media_idx');
}
