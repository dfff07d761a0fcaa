import type { Knex } from 'knex';

// Who wrote the conversation's last outbound message, so the list can say "Amélie: ..." (or
// "You: ...") without reading the partitioned messages table. Inbound messages leave it as it
// was: it is shown only while the last message is outbound.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('conversations', (t) => {
    t.uuid('last_message_author_id').references('users.id').onDelete('SET NULL');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('conversations', (t) => {
    t.dropColumn('last_message_author_id');
  });
}
