import type { Knex } from 'knex';
import type { Db, Trx } from '../../db/knex';
import type { FieldMap } from '../authz/sql';

export type Team = { id: string; name: string; description: string; memberCount: number; defaultCapacity: number | null; createdAt: Date };

export const TEAM_FIELDS: FieldMap = { id: { column: 'teams.id' }, name: { column: 'teams.name' } };

function selectTeams(db: Db | Trx): Knex.QueryBuilder {
  return db('teams').select(
    'teams.id',
    'teams.name',
    'teams.description',
    'teams.created_at',
    'teams.default_capacity',
    db.raw('(SELECT count(*) FROM user_teams ut WHERE ut.team_id = teams.id)::int AS member_count'),
  );
}

type TeamRow = { id: string; name: string; description: string; created_at: Date; member_count: number; default_capacity: number | null };
const toTeam = (r: TeamRow): Team => ({ id: r.id, name: r.name, description: r.description, memberCount: r.member_count, defaultCapacity: r.default_capacity, createdAt: r.created_at });

export async function listTeams(db: Db, narrow: (q: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<Team[]> {
  return ((await narrow(selectTeams(db).orderByRaw('lower(teams.name)'))) as TeamRow[]).map(toTeam);
}

export async function findTeam(db: Db | Trx, id: string): Promise<Team | undefined> {
  const row = (await selectTeams(db).where('teams.id', id).first()) as TeamRow | undefined;
  return row ? toTeam(row) : undefined;
}

export async function insertTeam(trx: Trx, t: { id: string; name: string; description: string }): Promise<void> {
  await trx('teams').insert(t);
}

export async function updateTeam(trx: Trx, id: string, patch: { name?: string; description?: string; defaultCapacity?: number | null }): Promise<void> {
  const { defaultCapacity, ...rest } = patch;
  await trx('teams').where({ id }).update({ ...rest, ...(defaultCapacity !== undefined ? { default_capacity: defaultCapacity } : {}), updated_at: trx.fn.now() });
}

/** Deletes a team; returns the ids of its former members (whose sessions must refresh). */
export async function deleteTeam(trx: Trx, id: string): Promise<string[]> {
  const members = (await trx('user_teams').select('user_id').where({ team_id: id })) as Array<{ user_id: string }>;
  await trx('teams').where({ id }).delete();
  return members.map((m) => m.user_id);
}

export async function teamExists(db: Db | Trx, id: string): Promise<boolean> {
  return (await db('teams').where({ id }).first('id')) !== undefined;
}
