import type { Knex } from 'knex';
import type { Db, Trx } from '../../db/knex';
import type { FieldMap } from '../authz/sql';
import type { Policy } from './plan';
import { DEFAULT_CAPACITY } from './queueRepo';

export type AvailabilityState = 'online' | 'away' | 'offline';

/** How CASL conditions on Availability map to SQL (the agent's own row: userId). */
export const AVAILABILITY_FIELDS: FieldMap = { userId: { column: 'u.id' } };

export type AvailabilityRow = {
  user_id: string;
  name: string;
  state: AvailabilityState;
  set_by: string | null;
  changed_at: Date | null;
  last_heartbeat_at: Date | null;
  /** The agent's own capacity; null: their team's default, else 6. */
  capacity: number | null;
  effective_capacity: number;
  open: number;
};

function selectAvailability(db: Db | Trx): Knex.QueryBuilder {
  return db('users as u')
    .leftJoin('agent_availability as a', 'a.user_id', 'u.id')
    .where('u.status', 'active')
    .select(
      'u.id as user_id', 'u.name', db.raw(`COALESCE(a.state, 'offline') AS state`), 'a.set_by', 'a.changed_at', 'a.last_heartbeat_at', 'a.capacity',
      db.raw(
        `COALESCE(a.capacity, (SELECT min(t.default_capacity) FROM user_teams ut JOIN teams t ON t.id = ut.team_id WHERE ut.user_id = u.id), ?)::int AS effective_capacity`,
        [DEFAULT_CAPACITY],
      ),
      db.raw(`(SELECT count(*) FROM conversations c WHERE c.assignee_id = u.id AND c.status <> 'resolved')::int AS open`),
    );
}

/** Active users with their availability, by name; `narrow` applies the reader's access conditions. */
export async function listAvailability(db: Db, narrow: (q: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<AvailabilityRow[]> {
  return (await narrow(selectAvailability(db).orderByRaw('lower(u.name), u.id'))) as AvailabilityRow[];
}

export async function findAvailability(db: Db | Trx, userId: string): Promise<AvailabilityRow | undefined> {
  return (await selectAvailability(db).where('u.id', userId).first()) as AvailabilityRow | undefined;
}

/** Sets an agent's state (locking their row first); the state it had before. */
export async function writeState(trx: Trx, userId: string, state: AvailabilityState, setBy: string | null): Promise<AvailabilityState> {
  // Read and lock before writing: a CTE's FOR UPDATE would not see the row the upsert changes.
  const before = (await trx('agent_availability').select('state').where({ user_id: userId }).forUpdate().first()) as { state: AvailabilityState } | undefined;
  await trx.raw(
    `INSERT INTO agent_availability AS a (user_id, state, set_by, changed_at, last_heartbeat_at)
     VALUES (?, ?, ?, now(), CASE WHEN ? = 'online' THEN now() END)
     ON CONFLICT (user_id) DO UPDATE
       SET state = EXCLUDED.state, set_by = EXCLUDED.set_by,
           changed_at = CASE WHEN a.state = EXCLUDED.state THEN a.changed_at ELSE now() END,
           last_heartbeat_at = CASE WHEN EXCLUDED.state = 'online' THEN now() ELSE a.last_heartbeat_at END`,
    [userId, state, setBy, state],
  );
  return before?.state ?? 'offline';
}

/** Sets an agent's own capacity (null: the team default); the capacity they had before. */
export async function writeCapacity(trx: Trx, userId: string, capacity: number | null): Promise<number | null> {
  const before = (await trx('agent_availability').select('capacity').where({ user_id: userId }).forUpdate().first()) as { capacity: number | null } | undefined;
  await trx('agent_availability').insert({ user_id: userId, capacity }).onConflict('user_id').merge(['capacity']);
  return before?.capacity ?? null;
}

/** Records that the agent's panel is still there; whether they have a row to beat on. */
export async function beat(db: Db | Trx, userId: string): Promise<void> {
  await db('agent_availability').where({ user_id: userId }).update({ last_heartbeat_at: db.fn.now() });
}

/**
 * Agents online or away whose panel has been silent past the timeout, or who have no live
 * session left (signed out, idle or expired everywhere): offline now. Who changed, and from what.
 */
export async function markGoneOffline(trx: Trx, heartbeatSeconds: number, idleMs: number): Promise<Array<{ userId: string; before: AvailabilityState; reason: 'heartbeat_timeout' | 'signed_out' }>> {
  const result = await trx.raw<{ rows: Array<{ user_id: string; before: AvailabilityState; signed_out: boolean }> }>(
    `WITH gone AS (
       SELECT a.user_id, a.state AS before,
              NOT EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = a.user_id AND s.expires_at > now()
                            AND s.last_seen_at > now() - make_interval(secs => ?)) AS signed_out
         FROM agent_availability a
        WHERE a.state <> 'offline'
        FOR UPDATE OF a
     )
     UPDATE agent_availability a SET state = 'offline', set_by = NULL, changed_at = now()
       FROM gone
      WHERE a.user_id = gone.user_id
        AND (gone.signed_out OR a.last_heartbeat_at IS NULL OR a.last_heartbeat_at < now() - make_interval(secs => ?))
     RETURNING a.user_id, gone.before, gone.signed_out`,
    [idleMs / 1000, heartbeatSeconds],
  );
  return result.rows.map((r) => ({ userId: r.user_id, before: r.before, reason: r.signed_out ? 'signed_out' : 'heartbeat_timeout' }));
}

/** Whether the user has a session left (after a sign-out). */
export async function hasLiveSession(trx: Trx, userId: string): Promise<boolean> {
  return (await trx('sessions').where({ user_id: userId }).where('expires_at', '>', trx.fn.now()).first('id')) !== undefined;
}

export type PolicyRow = { id: string; scope_type: 'channel' | 'team'; scope_id: string; kind: Policy['kind']; settings: Policy['settings']; updated_at: Date };

export async function listPolicies(db: Db): Promise<PolicyRow[]> {
  return (await db('routing_policies').select('id', 'scope_type', 'scope_id', 'kind', 'settings', 'updated_at').orderBy(['scope_type', 'scope_id'])) as PolicyRow[];
}

export async function findPolicy(db: Db | Trx, scopeType: 'channel' | 'team', scopeId: string): Promise<PolicyRow | undefined> {
  return (await db('routing_policies').select('id', 'scope_type', 'scope_id', 'kind', 'settings', 'updated_at').where({ scope_type: scopeType, scope_id: scopeId }).first()) as
    | PolicyRow
    | undefined;
}

export async function upsertPolicy(trx: Trx, row: { id: string; scope_type: 'channel' | 'team'; scope_id: string; kind: Policy['kind']; settings: Policy['settings']; updated_by: string | null }): Promise<void> {
  await trx('routing_policies')
    .insert({ ...row, settings: JSON.stringify(row.settings), updated_at: trx.fn.now() })
    .onConflict(['scope_type', 'scope_id'])
    .merge(['kind', 'settings', 'updated_by', 'updated_at']);
}

export async function deletePolicy(trx: Trx, scopeType: 'channel' | 'team', scopeId: string): Promise<boolean> {
  return (await trx('routing_policies').where({ scope_type: scopeType, scope_id: scopeId }).delete()) > 0;
}

/** Whether the scope a policy is for exists (a number or a team). */
export async function scopeExists(db: Db | Trx, scopeType: 'channel' | 'team', id: string): Promise<boolean> {
  return (await db(scopeType === 'channel' ? 'channels' : 'teams').where({ id }).first('id')) !== undefined;
}

/** Which of the given team ids exist. */
export async function existingTeams(db: Db | Trx, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) {
    return new Set();
  }
  return new Set(((await db('teams').select('id').whereIn('id', [...ids])) as Array<{ id: string }>).map((r) => r.id));
}
