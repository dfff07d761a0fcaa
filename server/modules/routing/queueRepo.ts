import type { Knex } from 'knex';
import type { Db, Trx } from '../../db/knex';
import type { Agent, Decision, Policies, Policy, Reason, Turns, Waiting } from './plan';

// Every routing decision is taken under this one transaction-level advisory lock, by whichever
// process routes: two web or worker processes never plan from the same counts. One lock rather
// than one per team because an agent may sit in several teams, and their capacity is shared.
const ROUTING_LOCK = 0x5b_0120;

/** The capacity of an agent with none of their own and no team default (the default). */
export const DEFAULT_CAPACITY = 6;

const OPEN_STATUSES = `status <> 'resolved'`;
// Skills rules name labels by name; contacts carry label ids.
const LABEL_NAMES = `ARRAY(SELECT l.name FROM labels l WHERE l.id = ANY(ct.label_ids))`;

/** Waits for, then holds until commit, the routing lock. */
export async function lockRouting(trx: Trx): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(?)', [ROUTING_LOCK]);
}

/**
 * Online agents (active users) with their effective capacity (their own, else the lowest default
 * among their teams that set one, else 6) and their open conversations, counted on the partial
 * index conversations_assignee_active_idx. A returning customer's conversation still waiting for
 * the router does not count against its previous agent.
 */
export async function onlineAgents(db: Db | Trx): Promise<Agent[]> {
  // One grouped count over the partial index rather than one count per agent, and one grouped
  // read of team memberships: two scans whatever the number of agents.
  const result = await db.raw<{ rows: Array<{ id: string; capacity: number; open: number; team_ids: string[] }> }>(
    `WITH held AS (
       SELECT c.assignee_id, count(*)::int AS n FROM conversations c
        WHERE c.assignee_id IS NOT NULL AND c.${OPEN_STATUSES} AND NOT c.routing_pending GROUP BY c.assignee_id
     ), teams_of AS (
       SELECT ut.user_id, array_agg(ut.team_id::text) AS team_ids, min(t.default_capacity) AS team_capacity
         FROM user_teams ut JOIN teams t ON t.id = ut.team_id GROUP BY ut.user_id
     )
     SELECT a.user_id AS id, COALESCE(a.capacity, tm.team_capacity, ?)::int AS capacity, COALESCE(h.n, 0) AS open, COALESCE(tm.team_ids, '{}') AS team_ids
       FROM agent_availability a JOIN users u ON u.id = a.user_id
       LEFT JOIN held h ON h.assignee_id = a.user_id
       LEFT JOIN teams_of tm ON tm.user_id = a.user_id
      WHERE a.state = 'online' AND u.status = 'active'
      ORDER BY a.user_id`,
    [DEFAULT_CAPACITY],
  );
  return result.rows.map((r) => ({ id: r.id, capacity: r.capacity, open: r.open, teamIds: r.team_ids }));
}

type QueueRow = {
  id: string; channel_id: string; team_id: string | null; assignee_id: string | null; routing_pending: boolean; new_conversation: boolean;
  language: string | null; labels: string[]; attributes: Record<string, unknown>; text: string | null;
};

/**
 * The queue, in the order it drains: conversations the router has not looked at yet (new, or a
 * returning customer), and open ones nobody holds, except where a manual policy (of the number
 * or of the team) keeps them for agents to take. Highest priority first, then oldest first.
 * The customer's latest text is read only when some skills rule looks for a keyword.
 */
export async function loadQueue(db: Db | Trx, limit: number, withText: boolean): Promise<Array<Waiting & { reason: Reason; pending: boolean }>> {
  const text = withText
    ? `(SELECT m.text FROM messages m WHERE m.conversation_id = v.id AND m.direction = 'in' ORDER BY m.created_at DESC LIMIT 1)`
    : 'NULL::text';
  const result = await db.raw<{ rows: QueueRow[] }>(
    `SELECT v.id, v.channel_id, v.team_id, v.assignee_id, v.routing_pending, v.assigned_at IS NULL AND v.assignee_id IS NULL AS new_conversation,
            ct.language, ${LABEL_NAMES} AS labels, ct.attributes, ${text} AS text
       FROM conversations v JOIN contacts ct ON ct.id = v.contact_id
      WHERE v.status = 'open'
        AND (v.routing_pending OR (v.assignee_id IS NULL
             AND NOT EXISTS (SELECT 1 FROM routing_policies p WHERE p.kind = 'manual'
                              AND ((p.scope_type = 'channel' AND p.scope_id = v.channel_id) OR (p.scope_type = 'team' AND p.scope_id = v.team_id)))))
      ORDER BY v.priority DESC, COALESCE(v.first_inbound_at, v.created_at), v.id
      LIMIT ?`,
    [limit],
  );
  return result.rows.map((r) => ({
    id: r.id, channelId: r.channel_id, teamId: r.team_id, assigneeId: r.assignee_id, pending: r.routing_pending,
    language: r.language, labels: r.labels, attributes: r.attributes ?? {}, text: r.text,
    reason: r.routing_pending && r.assignee_id !== null ? 'returning_customer' : r.new_conversation ? 'new_conversation' : 'queued',
  }));
}

/** Every policy, by number and by team. */
export async function loadPolicies(db: Db | Trx): Promise<Policies> {
  const rows = (await db('routing_policies').select('scope_type', 'scope_id', 'kind', 'settings')) as Array<{
    scope_type: 'channel' | 'team'; scope_id: string; kind: Policy['kind']; settings: Policy['settings'];
  }>;
  const channel = new Map<string, Policy>();
  const team = new Map<string, Policy>();
  for (const r of rows) {
    (r.scope_type === 'channel' ? channel : team).set(r.scope_id, { kind: r.kind, settings: r.settings });
  }
  return { channel, team };
}

/** The last turn of each agent in the given scopes, and the highest turn given so far. */
export async function loadTurns(db: Db | Trx, scopes: readonly string[]): Promise<{ turns: Turns; lastTurn: number }> {
  const turns: Turns = new Map();
  const rows = (await db('routing_turns').select('scope', 'user_id', 'last_turn').whereIn('scope', [...scopes])) as Array<{ scope: string; user_id: string; last_turn: string }>;
  for (const r of rows) {
    const m = turns.get(r.scope) ?? new Map<string, number>();
    m.set(r.user_id, Number(r.last_turn));
    turns.set(r.scope, m);
  }
  const seq = await db.raw<{ rows: Array<{ last_value: string; is_called: boolean }> }>('SELECT last_value, is_called FROM routing_turn_seq');
  const s = seq.rows[0]!;
  return { turns, lastTurn: s.is_called ? Number(s.last_value) : 0 };
}

/**
 * Writes the decisions: assignments (conditional on the conversation still being where the plan
 * saw it, so a claim that slipped in first wins), the pending marks cleared, the turns advanced.
 * Returns the decisions that took effect.
 */
export async function applyDecisions(trx: Trx, decisions: readonly Decision[]): Promise<Decision[]> {
  if (decisions.length === 0) {
    return [];
  }
  const result = await trx.raw<{ rows: Array<{ id: string }> }>(
    `UPDATE conversations v
        SET assignee_id = d.assignee_id,
            team_id = COALESCE(d.team_id, v.team_id),
            assigned_at = CASE WHEN d.assignee_id IS DISTINCT FROM v.assignee_id OR d.assignee_id IS NOT NULL THEN now() ELSE v.assigned_at END,
            routing_pending = false,
            updated_at = now()
       FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[]) AS d(id, assignee_id, from_id, team_id)
      WHERE v.id = d.id AND v.assignee_id IS NOT DISTINCT FROM d.from_id AND v.status = 'open'
      RETURNING v.id`,
    [decisions.map((d) => d.conversationId), decisions.map((d) => d.assigneeId), decisions.map((d) => d.fromAssigneeId), decisions.map((d) => d.teamId)] as unknown as Knex.RawBinding[],
  );
  const applied = new Set(result.rows.map((r) => r.id));
  const done = decisions.filter((d) => applied.has(d.conversationId));
  const turns = done.filter((d) => d.assigneeId !== null && d.turn !== null);
  if (turns.length > 0) {
    // Turns are re-numbered from the sequence in plan order, which the lock makes the global order.
    await trx.raw(
      `INSERT INTO routing_turns AS r (scope, user_id, last_turn, last_assigned_at, assigned_count)
       SELECT scope, user_id, max(nextval), now(), count(*) FROM (
         SELECT t.scope, t.user_id, nextval('routing_turn_seq') AS nextval FROM unnest(?::text[], ?::uuid[]) WITH ORDINALITY AS t(scope, user_id, ord) ORDER BY t.ord
       ) n GROUP BY scope, user_id
       ON CONFLICT (scope, user_id) DO UPDATE SET last_turn = EXCLUDED.last_turn, last_assigned_at = now(), assigned_count = r.assigned_count + EXCLUDED.assigned_count`,
      [turns.map((d) => d.scope), turns.map((d) => d.assigneeId!)],
    );
  }
  return done;
}

/** Open conversations still held by agents who have been offline for `graceSeconds` or more. */
export async function heldByOfflineAgents(db: Db | Trx, graceSeconds: number, limit: number): Promise<Array<{ id: string; assigneeId: string }>> {
  const result = await db.raw<{ rows: Array<{ id: string; assignee_id: string }> }>(
    `SELECT v.id, v.assignee_id FROM conversations v
       JOIN users u ON u.id = v.assignee_id
       LEFT JOIN agent_availability a ON a.user_id = v.assignee_id
      WHERE v.${OPEN_STATUSES} AND v.assignee_id IS NOT NULL
        AND ((a.user_id IS NOT NULL AND a.state = 'offline' AND a.changed_at <= now() - make_interval(secs => ?)) OR u.status <> 'active')
      ORDER BY v.priority DESC, COALESCE(v.first_inbound_at, v.created_at), v.id
      LIMIT ?`,
    [graceSeconds, limit],
  );
  return result.rows.map((r) => ({ id: r.id, assigneeId: r.assignee_id }));
}

/** Puts conversations back in the queue (conditionally on who still holds them); the ids that moved. */
export async function unassignHeld(trx: Trx, held: ReadonlyArray<{ id: string; assigneeId: string }>): Promise<string[]> {
  if (held.length === 0) {
    return [];
  }
  const result = await trx.raw<{ rows: Array<{ id: string }> }>(
    `UPDATE conversations v SET assignee_id = NULL, assigned_at = now(), updated_at = now()
       FROM unnest(?::uuid[], ?::uuid[]) AS d(id, from_id)
      WHERE v.id = d.id AND v.assignee_id = d.from_id
      RETURNING v.id`,
    [held.map((h) => h.id), held.map((h) => h.assigneeId)],
  );
  return result.rows.map((r) => r.id);
}

/**
 * Assigned open conversations whose customer has waited past the first-response target: their
 * last message is the customer's, and both it and the assignment are older than the target.
 */
export async function overdueConversations(db: Db | Trx, targetSeconds: number, limit: number): Promise<Array<Waiting & { reason: Reason }>> {
  const result = await db.raw<{ rows: QueueRow[] }>(
    `SELECT v.id, v.channel_id, v.team_id, v.assignee_id, false AS routing_pending, false AS new_conversation,
            ct.language, ${LABEL_NAMES} AS labels, ct.attributes, NULL::text AS text
       FROM conversations v JOIN contacts ct ON ct.id = v.contact_id
      WHERE v.status = 'open' AND v.assignee_id IS NOT NULL AND NOT v.routing_pending
        AND v.last_message_direction = 'in'
        AND v.last_inbound_at <= now() - make_interval(secs => ?)
        AND COALESCE(v.assigned_at, v.created_at) <= now() - make_interval(secs => ?)
      ORDER BY v.priority DESC, v.last_inbound_at, v.id
      LIMIT ?`,
    [targetSeconds, targetSeconds, limit],
  );
  return result.rows.map((r) => ({
    id: r.id, channelId: r.channel_id, teamId: r.team_id, assigneeId: r.assignee_id,
    language: r.language, labels: r.labels, attributes: r.attributes ?? {}, text: null, reason: 'first_response_overdue' as const,
  }));
}

/** Restarts the first-response clock of conversations offered to nobody (no other agent was free). */
export async function restartOfferClock(trx: Trx, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) {
    await trx.raw('UPDATE conversations SET assigned_at = now() WHERE id = ANY(?::uuid[])', [[...ids]]);
  }
}
