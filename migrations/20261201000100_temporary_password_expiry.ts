import type { Knex } from 'knex';

// A temporary password (the first admin's, a new user's, a reset) stops working after a while
// (TEMPORARY_PASSWORD_HOURS): a leaked one is not a key forever. NULL for passwords users chose.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.timestamp('temporary_password_expires_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('temporary_password_expires_at');
  });
}
