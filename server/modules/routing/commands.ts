import { systemActor, type Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import type { PolicySettings } from './plan';
import {
  deletePolicy, existingTeams, findAvailability, findPolicy, hasLiveSession, markGoneOffline, scopeExists, upsertPolicy, writeCapacity, writeState,
  type AvailabilityRow, type AvailabilityState, type PolicyRow,
} from './repo';
import type { PolicyInput } from './schema';

/**
 * Sets an agent's state (their own, or a supervisor's override): audited with who set it. Coming
 * online may take waiting conversations at once; going offline starts the grace time after which
 * their conversations go back to the queue.
 */
export async function setAvailability(s: Services, actor: Actor, userId: string, state: AvailabilityState): Promise<AvailabilityRow> {
  const row = await s.db.transaction(async (trx) => {
    const before = await writeState(trx, userId, state, actor.id);
    if (before !== state) {
      await s.audit.appendIn(trx, actor, [
        { action: 'availability.changed', subjectType: 'User', subjectId: userId, details: { from: before, to: state, override: actor.id !== userId } },
      ]);
    }
    return (await findAvailability(trx, userId))!;
  });
  s.onRoutingNeeded();
  return row;
}

/** Sets an agent's own capacity (null: their team's default, else 6); audited; a raise may route at once. */
export async function setCapacity(s: Services, actor: Actor, userId: string, capacity: number | null): Promise<AvailabilityRow> {
  const row = await s.db.transaction(async (trx) => {
    const before = await writeCapacity(trx, userId, capacity);
    await s.audit.appendIn(trx, actor, [{ action: 'availability.capacity_changed', subjectType: 'User', subjectId: userId, details: { from: before, to: capacity } }]);
    return (await findAvailability(trx, userId))!;
  });
  s.onRoutingNeeded();
  return row;
}

/** After a sign-out: the agent's last session closed makes them offline (audited, by the system). */
export async function offlineIfSignedOut(s: Services, userId: string): Promise<void> {
  await s.db.transaction(async (trx) => {
    if (await hasLiveSession(trx, userId)) {
      return;
    }
    const before = await writeState(trx, userId, 'offline', null);
    if (before !== 'offline') {
      await s.audit.appendIn(trx, systemActor, [
        { action: 'availability.changed', subjectType: 'User', subjectId: userId, details: { from: before, to: 'offline', reason: 'signed_out' } },
      ]);
    }
  });
}

/** Agents whose panel went silent, or whose sessions all ended, go offline (audited, by the system). */
export async function sweepAvailability(s: Services, actor: Actor): Promise<number> {
  return s.db.transaction(async (trx) => {
    const gone = await markGoneOffline(trx, s.config.availabilityHeartbeatTimeoutSeconds, s.config.sessionIdleMs);
    await s.audit.appendIn(
      trx,
      actor,
      gone.map((g) => ({ action: 'availability.changed', subjectType: 'User', subjectId: g.userId, details: { from: g.before, to: 'offline', reason: g.reason } })),
    );
    return gone.length;
  });
}

const unknownTeam = (path: string) => errors.validation('Unknown team.', { fields: [{ path, message: 'unknown' }] });

/** Creates or replaces the policy of a number or a team; audited; routes what waits under the new rules. */
export async function savePolicy(s: Services, actor: Actor, scopeType: 'channel' | 'team', scopeId: string, input: PolicyInput): Promise<PolicyRow> {
  if (scopeType === 'team' && (input.kind === 'skills' || input.teamId !== null)) {
    throw errors.validation('A team policy chooses an agent: skills rules and a team belong to a number’s policy.', { fields: [{ path: 'body.kind', message: 'number only' }] });
  }
  const row = await s.db.transaction(async (trx) => {
    if (!(await scopeExists(trx, scopeType, scopeId))) {
      throw errors.notFound(scopeType === 'channel' ? 'Channel' : 'Team');
    }
    const teams = await existingTeams(trx, [...(input.teamId ? [input.teamId] : []), ...input.rules.map((r) => r.teamId)]);
    if (input.teamId && !teams.has(input.teamId)) {
      throw unknownTeam('body.teamId');
    }
    const bad = input.rules.findIndex((r) => !teams.has(r.teamId));
    if (bad >= 0) {
      throw unknownTeam(`body.rules.${bad}.teamId`);
    }
    const settings: PolicySettings = { teamId: input.teamId, fallback: input.fallback, rules: input.kind === 'skills' ? input.rules : [] };
    const before = await findPolicy(trx, scopeType, scopeId);
    await upsertPolicy(trx, { id: before?.id ?? newId(), scope_type: scopeType, scope_id: scopeId, kind: input.kind, settings, updated_by: actor.id });
    const saved = (await findPolicy(trx, scopeType, scopeId))!;
    await s.audit.appendIn(trx, actor, [
      {
        action: 'routing.policy_saved', subjectType: 'RoutingPolicy', subjectId: saved.id,
        details: { scopeType, scopeId, kind: input.kind, previousKind: before?.kind ?? null, teamId: input.teamId, rules: settings.rules?.length ?? 0 },
      },
    ]);
    return saved;
  });
  s.onRoutingNeeded();
  return row;
}

/** Removes a policy (the defaults apply again: round robin among everyone who may work it); audited. */
export async function removePolicy(s: Services, actor: Actor, scopeType: 'channel' | 'team', scopeId: string): Promise<void> {
  await s.db.transaction(async (trx) => {
    const before = await findPolicy(trx, scopeType, scopeId);
    if (!before || !(await deletePolicy(trx, scopeType, scopeId))) {
      throw errors.notFound('RoutingPolicy');
    }
    await s.audit.appendIn(trx, actor, [{ action: 'routing.policy_deleted', subjectType: 'RoutingPolicy', subjectId: before.id, details: { scopeType, scopeId, kind: before.kind } }]);
  });
  s.onRoutingNeeded();
}
