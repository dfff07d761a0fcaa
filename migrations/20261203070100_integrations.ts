import type { Knex } from 'knex';

// Bot lookups (issue 12, item 5): HTTPS endpoints an auto-reply rule may call with the customer's
// number and text, answering with a template filled from the JSON they return. Secret header
// values are sealed under the master key (AES-256-GCM, server/lib/secrets.ts) inside `headers`;
// the key is never in the database.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('integrations', (t) => {
    t.uuid('id').primary();
    t.text('name').notNullable();
    // May hold {{wa_id}}, {{text}}, {{contact_name}} in its path and query (URL-encoded when filled).
    t.text('url').notNullable();
    t.text('method').notNullable();
    // [{ name, secret: false, value } | { name, secret: true, sealed, last4 }]
    t.jsonb('headers').notNullable().defaultTo('[]');
    // JSON text (POST only): placeholders sit inside JSON strings and are filled as JSON values.
    t.text('body_template');
    t.text('response_template').notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.integer('timeout_ms').notNullable().defaultTo(2000);
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE integrations ADD CONSTRAINT integrations_method_check CHECK (method IN ('GET', 'POST'))`);
  // A lookup runs while the customer waits: 2 s is the most the issue allows.
  await knex.raw(`ALTER TABLE integrations ADD CONSTRAINT integrations_timeout_check CHECK (timeout_ms BETWEEN 100 AND 2000)`);
  // Names are unique ignoring case ("Orders" and "orders" would be confused in a rule's form).
  await knex.raw(`CREATE UNIQUE INDEX integrations_name_unique ON integrations (lower(name))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('integrations');
}
