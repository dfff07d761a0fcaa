import type { Knex } from 'knex';

// The appliance's OpenPGP key (signs audit anchors, later backups and exports). The private
// part is sealed with the master key, which never reaches the database. One row per purpose;
// the runtime role may only insert and read it (server/db/roles.ts), so it cannot swap the key.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('appliance_keys', (t) => {
    t.text('purpose').primary();
    t.text('fingerprint').notNullable();
    t.text('public_key').notNullable();
    t.text('private_key_sealed').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('appliance_keys');
}
