import type { Knex } from 'knex';

// The WhatsApp numbers a contact was merged from. Merging keeps the target's number for sending;
// the source's number stays findable here (search, history) without being reused for routing:
// a later message from that number starts a new contact, since a released number may now belong
// to someone else.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('contact_aliases', (t) => {
    t.uuid('contact_id').notNullable().references('contacts.id').onDelete('CASCADE');
    t.text('wa_id').notNullable();
    t.uuid('merged_from').notNullable();
    t.timestamp('merged_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['contact_id', 'wa_id']);
    t.index(['wa_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('contact_aliases');
}
