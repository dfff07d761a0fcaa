import type { Db, Trx } from '../../db/knex';
import { systemActor } from '../../lib/actor';
import { SerialDrain } from '../../lib/serialDrain';
import type { Services } from '../../services';
import type { AuditEntry } from '../audit/auditLog';
import { activeUsersWithRules, workChecker } from '../conversations';
import type { LiveNotice } from '../inbox';
import { plan, routeOf, type Agent, type Decision, type Policies, type Waiting } from './plan';
import {
  applyDecisions, heldByOfflineAgents, loadPolicies, loadQueue, loadTurns, lockRouting, onlineAgents, overdueConversations, restartOfferClock, unassignHeld,
} from './queueRepo';

// Conversations decided per transaction: large enough that a burst costs a few statements, small
// enough that the routing lock is held for milliseconds.
const BATCH = 200;
// A pass that filled its batch is followed by another, up to this many per kick.
const MAX_PASSES = 50;
// Agents' roles are read at most this often: a role change reaches the router within it.
const RULES_TTL_MS = 5_000;

type Checker = (c: { id: string; channel_id: string; status: 'open'; team_id: string | null }) => boolean;

/** Audit entries for decisions that changed who holds a conversation: ids only, never a customer's data. */
function auditEntries(done: readonly Decision[]): AuditEntry[] {
  return done.flatMap((d): AuditEntry[] => {
    if (d.assigneeId !== null) {
      return [{
        action: 'routing.assigned', subjectType: 'Conversation', subjectId: d.conversationId,
        details: { policy: d.policy, reason: d.reason, fromAssigneeId: d.fromAssigneeId, toAssigneeId: d.assigneeId, teamId: d.teamId },
      }];
    }
    if (d.fromAssigneeId !== null) {
      return [{ action: 'routing.unassigned', subjectType: 'Conversation', subjectId: d.conversationId, details: { reason: 'owner_unavailable', fromAssigneeId: d.fromAssigneeId, policy: d.policy } }];
    }
    return [];
  });
}

const changed = (d: Decision) => d.assigneeId !== d.fromAssigneeId || d.assigneeId !== null;

/**
 * The router: assigns waiting conversations to online agents by the routing policies, exactly
 * (never above capacity, never twice) whichever process runs it, because every decision is
 * planned and written under one advisory lock from counts read under it. Kicked after an inbound
 * commit and whenever capacity may have freed; the sweeper kicks it too, for what other
 * processes changed.
 */
export class Router {
  private readonly drain = new SerialDrain<true>(() => this.run(), Number.MAX_SAFE_INTEGER);
  private readonly checkers = new Map<string, { key: string; check: Checker }>();
  private checkersLoadedAt = 0;
  private refreshing: Promise<void> | null = null;

  constructor(private readonly s: Services) {}

  /** Routes whatever waits, soon (coalesced with any run in progress). */
  kick(): void {
    this.drain.push([true]);
  }

  /** Resolves once every kick so far is handled. */
  flush(): Promise<void> {
    return this.drain.flush();
  }

  private async run(): Promise<void> {
    try {
      for (let i = 0; i < MAX_PASSES && (await this.pass()); i += 1) {
        // A full batch: there may be more.
      }
    } catch (err) {
      this.s.log.warn({ err: (err as Error).message }, 'routing pass failed; the sweeper retries');
    }
  }

  /** One transaction: plans and writes up to a batch of the queue; whether there may be more. */
  async pass(): Promise<boolean> {
    const notices: LiveNotice[] = [];
    const more = await this.s.db.transaction(async (trx) => {
      await lockRouting(trx);
      const policies = await loadPolicies(trx);
      const withText = [...policies.channel.values()].some((p) => (p.settings.rules ?? []).some((r) => r.field === 'keyword'));
      const queue = await loadQueue(trx, BATCH, withText);
      if (queue.length === 0) {
        return false;
      }
      const agents = await onlineAgents(trx);
      const pending = new Set(queue.filter((w) => w.pending).map((w) => w.id));
      if (pending.size === 0 && !agents.some((a) => a.open < a.capacity)) {
        return false;
      }
      const decisions = await this.decide(trx, queue, agents, policies);
      const done = await applyDecisions(trx, decisions.filter((d) => changed(d) || pending.has(d.conversationId)));
      await this.s.audit.appendIn(trx, systemActor, auditEntries(done));
      notices.push(...done.filter(changed).map((d): LiveNotice => ({ type: 'conversation.updated', conversationId: d.conversationId })));
      return queue.length === BATCH && done.some((d) => d.assigneeId !== null);
    });
    this.s.publish(notices);
    return more;
  }

  private async decide(
    trx: Trx, queue: ReadonlyArray<Waiting & { reason: Decision['reason'] }>, agents: Agent[], policies: Policies, exclude?: (w: Waiting) => string | null,
  ): Promise<Decision[]> {
    const scopes = [...new Set(queue.map((w) => routeOf(w, policies).scope))];
    const { turns, lastTurn } = await loadTurns(trx, scopes);
    await this.loadCheckers(trx, agents);
    const verdicts = new Map<string, boolean>();
    const mayWork = (a: Agent, w: Waiting, teamId: string | null) => {
      // CASL conditions on a conversation name its number, team, status, assignee (and id): the
      // verdict of one agent holds for every conversation of the same number and team.
      const key = `${a.id}|${w.channelId}|${teamId ?? ''}`;
      let v = verdicts.get(key);
      if (v === undefined) {
        const check = this.checkers.get(a.id)?.check;
        v = check !== undefined && check({ id: w.id, channel_id: w.channelId, status: 'open', team_id: teamId });
        verdicts.set(key, v);
      }
      return v;
    };
    return plan({ queue, agents, policies, turns, mayWork, exclude, firstTurn: lastTurn });
  }

  /**
   * The agents' CASL checkers: new agents' built in the pass; everyone's re-read every few seconds
   * in the background (off the routing lock), rebuilding only those whose roles or teams changed:
   * building 500 abilities costs about a second on a busy machine, far too long to route behind.
   */
  private async loadCheckers(trx: Trx, agents: readonly Agent[]): Promise<void> {
    const missing = agents.filter((a) => !this.checkers.has(a.id)).map((a) => a.id);
    if (missing.length > 0) {
      await this.refreshCheckers(trx, missing);
    }
    if (Date.now() - this.checkersLoadedAt > RULES_TTL_MS && !this.refreshing) {
      this.checkersLoadedAt = Date.now();
      this.refreshing = this.refreshCheckers(this.s.db, [...this.checkers.keys()])
        .catch((err: unknown) => this.s.log.warn({ err: (err as Error).message }, 'routing: could not re-read agents’ roles'))
        .finally(() => {
          this.refreshing = null;
        });
    }
  }

  private async refreshCheckers(db: Db | Trx, ids: readonly string[]): Promise<void> {
    for (const u of await activeUsersWithRules(db, ids)) {
      const key = JSON.stringify([u.rules, u.team_ids, u.email]);
      if (this.checkers.get(u.id)?.key !== key) {
        this.checkers.set(u.id, { key, check: workChecker(u) });
      }
    }
  }

  /** Builds the online agents' checkers ahead of the first conversation (at start). */
  async warm(): Promise<void> {
    await this.refreshCheckers(this.s.db, (await onlineAgents(this.s.db)).map((a) => a.id));
    this.checkersLoadedAt = Date.now();
  }

  /**
   * Conversations of agents offline for the grace time go back to the queue (audited, with the
   * reason), then the queue is routed: to other online agents, or to wait.
   */
  async requeueFromOffline(graceSeconds: number): Promise<number> {
    const moved = await this.s.db.transaction(async (trx) => {
      await lockRouting(trx);
      const held = await heldByOfflineAgents(trx, graceSeconds, BATCH * 5);
      const ids = new Set(await unassignHeld(trx, held));
      const entries = held.filter((h) => ids.has(h.id)).map((h): AuditEntry => ({
        action: 'routing.unassigned', subjectType: 'Conversation', subjectId: h.id, details: { reason: 'agent_offline', fromAssigneeId: h.assigneeId },
      }));
      await this.s.audit.appendIn(trx, systemActor, entries);
      return [...ids];
    });
    this.s.publish(moved.map((id) => ({ type: 'conversation.updated', conversationId: id })));
    if (moved.length > 0) {
      this.kick();
    }
    return moved.length;
  }

  /**
   * Conversations whose customer has waited past the first-response target are offered to another
   * eligible agent (reassigned, reason first_response_overdue), and supervisors are alerted either
   * way. Those nobody else can take stay, and are offered again after another target period.
   */
  async offerOverdue(targetSeconds: number): Promise<number> {
    const notices: LiveNotice[] = [];
    const count = await this.s.db.transaction(async (trx) => {
      await lockRouting(trx);
      const overdue = await overdueConversations(trx, targetSeconds, BATCH);
      if (overdue.length === 0) {
        return 0;
      }
      const agents = await onlineAgents(trx);
      const decisions = await this.decide(trx, overdue, agents, await loadPolicies(trx), (w) => w.assigneeId);
      const offered = decisions.filter((d) => d.assigneeId !== null);
      const done = await applyDecisions(trx, offered);
      const doneIds = new Set(done.map((d) => d.conversationId));
      await restartOfferClock(trx, overdue.map((w) => w.id).filter((id) => !doneIds.has(id)));
      await this.s.audit.appendIn(trx, systemActor, auditEntries(done));
      for (const w of overdue) {
        notices.push({ type: 'routing.overdue', conversationId: w.id });
        if (doneIds.has(w.id)) {
          notices.push({ type: 'conversation.updated', conversationId: w.id });
        }
      }
      return overdue.length;
    });
    this.s.publish(notices);
    return count;
  }
}
