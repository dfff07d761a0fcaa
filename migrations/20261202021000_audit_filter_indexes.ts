import type { Knex } from 'knex';

// The Audit page filters by action family ("conversation" of conversation.assigned) and by a
// subject id whatever its type, newest first. audit_events grows without end, so each filter
// needs an index that also yields seq order (keyset paging, streamed exports).
export async function up(knex: Knex): Promise<void> {
  // An expression index: the family is the action's text before its first dot.
  await knex.raw("CREATE INDEX audit_events_family_seq_index ON audit_events ((split_part(action, '.', 1)), seq)");
  await knex.raw('CREATE INDEX audit_events_subject_id_seq_index ON audit_events (subject_id, seq)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX audit_events_subject_id_seq_index');
  await knex.raw('DROP INDEX audit_events_family_seq_index');
}
