import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('channels', (t) => {
    t.uuid('id').primary();
    t.text('name').notNullable();
    t.text('phone_number_id').notNullable().unique();
    t.text('waba_id').notNullable();
    t.text('display_number').notNullable();
    t.text('graph_base_url').notNullable().defaultTo('https://graph.facebook.com');
    t.text('graph_version').notNullable().defaultTo('v23.0');
    // AES-256-GCM under the master key (server/lib/secrets.ts); never returned by the API.
    t.text('access_token_enc').notNullable();
    t.text('app_secret_enc').notNullable();
    t.text('verify_token_enc').notNullable();
    t.text('access_token_last4');
    t.text('app_secret_last4');
    t.text('verify_token_last4');
    t.text('lane').notNullable().defaultTo('shared');
    t.integer('throughput_mps').notNullable().defaultTo(80);
    t.text('messaging_tier');
    t.text('quality_rating').notNullable().defaultTo('UNKNOWN');
    t.text('status').notNullable().defaultTo('active');
    t.text('status_reason');
    t.boolean('is_sandbox').notNullable().defaultTo(false);
    t.timestamp('last_test_at', { useTz: true });
    t.boolean('last_test_ok');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['waba_id']);
  });
  await knex.raw(`ALTER TABLE channels
    ADD CONSTRAINT channels_lane_check CHECK (lane IN ('shared', 'dedicated')),
    ADD CONSTRAINT channels_status_check CHECK (status IN ('active', 'token_invalid', 'disabled')),
    ADD CONSTRAINT channels_throughput_check CHECK (throughput_mps BETWEEN 1 AND 1000)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('channels');
}
