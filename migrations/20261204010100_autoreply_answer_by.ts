import type { Knex } from 'knex';

// Who last wrote a rule's answer. A file answer is sent as that person's upload (the inbox's rule:
// a sender attaches their own files), so a file set by an admin editing someone else's rule is
// sent as theirs, not the rule's creator's. NULL for rules written before: the creator sends.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('autoreply_rules', (t) => {
    t.uuid('answer_by').references('users.id').onDelete('SET NULL');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('autoreply_rules', (t) => {
    t.dropColumn('answer_by');
  });
}
