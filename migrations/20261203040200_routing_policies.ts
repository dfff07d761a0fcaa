import type { Knex } from 'knex';

// Routing policies: at most one per WhatsApp number and one per team. The number's policy picks
// the team (or its skills rules do); the team's policy picks the agent. Settings (the team a
// number routes to, skills rules, the fallback inside a skill group) are validated by zod on write.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('routing_policies', (t) => {
    t.uuid('id').primary();
    t.text('scope_type').notNullable();
    t.uuid('scope_id').notNullable();
    t.text('kind').notNullable();
    t.jsonb('settings').notNullable().defaultTo('{}');
    t.uuid('updated_by').references('users.id').onDelete('SET NULL');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['scope_type', 'scope_id']);
  });
  await knex.raw(`ALTER TABLE routing_policies ADD CONSTRAINT routing_policies_scope_check CHECK (scope_type IN ('channel', 'team'))`);
  await knex.raw(
    `ALTER TABLE routing_policies ADD CONSTRAINT routing_policies_kind_check CHECK (kind IN ('round_robin', 'load_balance', 'skills', 'sticky', 'manual'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('routing_policies');
}
