import type { Knex } from 'knex';

// Auto-replies: keyword rules, per-number settings (business hours, out-of-office, welcome), and
// what was answered to whom (cooldowns, once-only answers).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('autoreply_rules', (t) => {
    t.uuid('id').primary();
    t.text('name').notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.integer('priority').notNullable().defaultTo(0);
    // 'contains', 'word', 'exact' or 'regex'; keywords are matched after normalisation (match.ts).
    t.text('mode').notNullable();
    t.specificType('keywords', 'text[]').notNullable();
    // The numbers it answers on; empty: every number.
    t.specificType('channel_ids', 'uuid[]').notNullable().defaultTo('{}');
    t.integer('cooldown_seconds').notNullable().defaultTo(3600);
    // { kind: 'text' | 'media' | 'template' | 'interactive' | 'lookup', ... } (schema.ts).
    t.jsonb('answer').notNullable();
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE autoreply_rules ADD CONSTRAINT autoreply_rules_mode_check CHECK (mode IN ('contains', 'word', 'exact', 'regex'))`);
  // One row bumped by every rule change, so each process recompiles its matcher only then.
  await knex.schema.createTable('autoreply_version', (t) => {
    t.integer('id').primary();
    t.bigInteger('version').notNullable();
  });
  await knex.raw(`ALTER TABLE autoreply_version ADD CONSTRAINT autoreply_version_single_row CHECK (id = 1)`);
  await knex('autoreply_version').insert({ id: 1, version: 0 });
  await knex.schema.createTable('autoreply_settings', (t) => {
    t.uuid('channel_id').primary().references('channels.id').onDelete('CASCADE');
    t.text('time_zone').notNullable().defaultTo('UTC');
    // [{ day: 1..7, open: 'HH:MM', close: 'HH:MM' }] and ['YYYY-MM-DD'] (hours.ts).
    t.jsonb('weekly').notNullable().defaultTo('[]');
    t.jsonb('holidays').notNullable().defaultTo('[]');
    t.text('default_language').notNullable().defaultTo('en');
    t.boolean('out_of_office_enabled').notNullable().defaultTo(false);
    // { en: 'We are back {{next_opening}}.', fr: ... }
    t.jsonb('out_of_office_texts').notNullable().defaultTo('{}');
    t.boolean('welcome_enabled').notNullable().defaultTo(false);
    t.jsonb('welcome_texts').notNullable().defaultTo('{}');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('autoreply_sends', (t) => {
    t.uuid('id').primary();
    t.uuid('contact_id').notNullable().references('contacts.id').onDelete('CASCADE');
    t.uuid('channel_id').notNullable().references('channels.id').onDelete('CASCADE');
    t.uuid('conversation_id').notNullable();
    // 'welcome', 'out_of_office', 'rule' (a rule's answer or lookup).
    t.text('kind').notNullable();
    t.uuid('rule_id').references('autoreply_rules.id').onDelete('CASCADE');
    // Out-of-office: the opening that ends the closed period it was sent in.
    t.timestamp('period_end', { useTz: true });
    t.uuid('message_id');
    t.timestamp('sent_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // Cooldowns look up a contact's last answer from a rule.
  await knex.raw('CREATE INDEX autoreply_sends_rule_idx ON autoreply_sends (contact_id, rule_id, sent_at DESC)');
  // Once-only answers, even when two messages arrive together: one welcome per contact, one
  // out-of-office per contact, number and closed period.
  await knex.raw(`CREATE UNIQUE INDEX autoreply_sends_welcome_once ON autoreply_sends (contact_id) WHERE kind = 'welcome'`);
  await knex.raw(`CREATE UNIQUE INDEX autoreply_sends_ooo_once ON autoreply_sends (contact_id, channel_id, period_end) WHERE kind = 'out_of_office'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('autoreply_sends');
  await knex.schema.dropTable('autoreply_settings');
  await knex.schema.dropTable('autoreply_version');
  await knex.schema.dropTable('autoreply_rules');
}
