import type { Knex } from 'knex';

// Agent availability (online, away, offline) and capacity, one row per user once they first
// set a state or are given a capacity; no row reads as offline with the default capacity.
// last_heartbeat_at: the panel beats every 20 s; a silent agent goes offline (the routing sweeper).
// changed_at: when the state last changed, which starts the offline grace before reassignment.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('agent_availability', (t) => {
    t.uuid('user_id').primary().references('users.id').onDelete('CASCADE');
    t.text('state').notNullable().defaultTo('offline');
    t.uuid('set_by').references('users.id').onDelete('SET NULL');
    t.timestamp('changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_heartbeat_at', { useTz: true });
    t.integer('capacity');
  });
  await knex.raw(`ALTER TABLE agent_availability ADD CONSTRAINT agent_availability_state_check CHECK (state IN ('online', 'away', 'offline'))`);
  await knex.raw(`ALTER TABLE agent_availability ADD CONSTRAINT agent_availability_capacity_check CHECK (capacity IS NULL OR capacity BETWEEN 0 AND 500)`);
  await knex.schema.alterTable('teams', (t) => {
    t.integer('default_capacity');
  });
  await knex.raw(`ALTER TABLE teams ADD CONSTRAINT teams_default_capacity_check CHECK (default_capacity IS NULL OR default_capacity BETWEEN 0 AND 500)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE teams DROP CONSTRAINT teams_default_capacity_check');
  await knex.schema.alterTable('teams', (t) => {
    t.dropColumn('default_capacity');
  });
  await knex.schema.dropTable('agent_availability');
}
