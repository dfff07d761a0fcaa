import type { Knex } from 'knex';

// The file a broadcast's template header carries (image, video or document), uploaded by whoever
// created the broadcast. No foreign key to media: the file is the business's own, not a message's,
// so retention and erasure (which remove media with their messages) never reach it, and the
// broadcast's messages do not name it as their media.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('broadcasts', (t) => {
    t.uuid('header_media_id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('broadcasts', (t) => {
    t.dropColumn('header_media_id');
  });
}
