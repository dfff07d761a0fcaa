import type { Knex } from 'knex';

// GDPR requests (access, erasure) tracked against their one-month deadline, and the erasure
// ledger. Neither holds the subject's phone number or name: a request points at the contact by
// id (null once the contact is erased) and names the subject by a keyed hash of the WhatsApp
// number (HMAC under a key derived from the master key), which is all the ledger keeps too, so a
// restored backup can be erased again without the ledger itself being personal data in clear.
// Contacts get a restriction (GDPR Art. 18): set when an erasure is refused (legal hold, locked
// retention), it stops agents sending to the contact.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('gdpr_requests', (t) => {
    t.uuid('id').primary();
    t.text('type').notNullable();
    t.uuid('contact_id').references('contacts.id').onDelete('SET NULL');
    t.text('subject_hash').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable();
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.timestamp('extended_due_at', { useTz: true });
    t.text('extension_reason');
    t.text('state').notNullable().defaultTo('open');
    t.text('refusal_reason');
    t.jsonb('outcome').notNullable().defaultTo('{}');
    // The access archive in the media store (exports/gdpr/<id>.zip) and its SHA-256.
    t.text('archive_key');
    t.text('archive_sha256');
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.uuid('handled_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
    t.index(['state', 'due_at']);
    t.index(['contact_id']);
  });
  await knex.raw(`ALTER TABLE gdpr_requests ADD CONSTRAINT gdpr_requests_type_check CHECK (type IN ('access', 'erasure'))`);
  await knex.raw(`ALTER TABLE gdpr_requests ADD CONSTRAINT gdpr_requests_state_check CHECK (state IN ('open', 'completed', 'refused'))`);
  await knex.raw(`ALTER TABLE gdpr_requests ADD CONSTRAINT gdpr_requests_extension_check CHECK ((extended_due_at IS NULL) = (extension_reason IS NULL))`);

  await knex.schema.createTable('erasure_ledger', (t) => {
    t.text('subject_hash').primary();
    t.uuid('request_id').references('gdpr_requests.id').onDelete('SET NULL');
    t.timestamp('erased_at', { useTz: true }).notNullable();
  });

  await knex.schema.alterTable('contacts', (t) => {
    t.timestamp('restricted_at', { useTz: true });
    t.text('restriction_reason');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('contacts', (t) => {
    t.dropColumn('restriction_reason');
    t.dropColumn('restricted_at');
  });
  await knex.schema.dropTable('erasure_ledger');
  await knex.schema.dropTable('gdpr_requests');
}
