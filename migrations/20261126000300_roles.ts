import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('roles', (t) => {
    t.uuid('id').primary();
    t.text('key').notNullable().unique();
    t.text('name').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.boolean('builtin').notNullable().defaultTo(false);
    // CASL raw rules, as stored and as edited in the UI.
    t.jsonb('rules').notNullable().defaultTo('[]');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('user_roles', (t) => {
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    // RESTRICT: a role still given to someone cannot disappear under them.
    t.uuid('role_id').notNullable().references('roles.id').onDelete('RESTRICT');
    t.primary(['user_id', 'role_id']);
    t.index(['role_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('user_roles');
  await knex.schema.dropTable('roles');
}
