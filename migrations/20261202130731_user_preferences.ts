import type { Knex } from 'knex';

// A user's own settings that follow them from browser to browser (e.g. whether they asked to be
// alerted of new customers). JSON, so a new preference needs no migration; the API validates it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.jsonb('preferences').notNullable().defaultTo('{}');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('preferences');
  });
}
