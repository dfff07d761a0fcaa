import type { Knex } from 'knex';

// The Meta app a number belongs to: template sample files go through its Resumable Upload API
// (`POST /{app-id}/uploads`). Optional: only needed to submit templates with a media header.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channels', (t) => {
    t.text('app_id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channels', (t) => {
    t.dropColumn('app_id');
  });
}
