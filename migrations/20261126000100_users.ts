import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary();
    t.text('email').notNullable();
    t.text('name').notNullable();
    t.text('password_hash').notNullable();
    t.text('status').notNullable().defaultTo('active');
    t.boolean('must_change_password').notNullable().defaultTo(false);
    t.text('locale').notNullable().defaultTo('en');
    t.timestamp('password_changed_at', { useTz: true });
    t.timestamp('last_login_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // Emails are unique regardless of case; a functional index keeps the stored spelling.
  await knex.raw('CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))');
  await knex.raw("ALTER TABLE users ADD CONSTRAINT users_status_check CHECK (status IN ('active', 'disabled'))");
  await knex.raw("ALTER TABLE users ADD CONSTRAINT users_locale_check CHECK (locale IN ('en', 'fr'))");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
}
