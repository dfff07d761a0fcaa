import type { Knex } from 'knex';

// Every panel shows how many open conversations wait for an agent, and recounts whenever one
// arrives or is claimed: a partial index keeps that count to the waiting rows only, however large
// the archive of handled conversations grows. The columns are those access rules narrow on.
// Raw SQL: knex cannot declare a partial index's predicate.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX conversations_unassigned_open_idx ON conversations (channel_id, team_id) WHERE assignee_id IS NULL AND status = 'open'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX conversations_unassigned_open_idx');
}
