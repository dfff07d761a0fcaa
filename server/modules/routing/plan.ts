// The router's decisions, as pure functions of what the database said under the routing lock:
// which team and which way of choosing apply to a conversation (policies), and which online agent
// gets it. No I/O here, so the invariants (capacity, fairness, queue order) are property-tested
// (tests/unit/routingPlan.test.ts) on exactly the code the router runs.

export type PolicyKind = 'round_robin' | 'load_balance' | 'skills' | 'sticky' | 'manual';
/** How an agent is picked inside a team (or among everyone). */
export type AgentChoice = 'round_robin' | 'load_balance';

export type SkillField = 'number' | 'language' | 'label' | 'keyword' | 'attribute';
export type SkillRule = { field: SkillField; value: string; attribute?: string; teamId: string; choice: AgentChoice };

export type PolicySettings = { teamId?: string | null; fallback?: AgentChoice; rules?: SkillRule[] };
export type Policy = { kind: PolicyKind; settings: PolicySettings };
export type Policies = { channel: ReadonlyMap<string, Policy>; team: ReadonlyMap<string, Policy> };

/** What the rules may look at: the conversation, its contact and the customer's latest text. */
export type Waiting = {
  id: string;
  channelId: string;
  teamId: string | null;
  /** Whoever holds it now (a returning customer's previous agent, or the agent it is offered away from). */
  assigneeId: string | null;
  language: string | null;
  labels: readonly string[];
  attributes: Readonly<Record<string, unknown>>;
  text: string | null;
};

/** An online agent: their effective capacity and how many open conversations they hold. */
export type Agent = { id: string; capacity: number; open: number; teamIds: readonly string[] };

export type Route = { teamId: string | null; choice: AgentChoice | 'manual'; sticky: boolean; policy: PolicyKind; scope: string };

const DEFAULT_CHOICE: AgentChoice = 'round_robin';

const norm = (v: string) => v.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim();

/** Whether a skills rule holds for the conversation (case and accents ignored). */
export function ruleMatches(rule: SkillRule, w: Waiting): boolean {
  const want = norm(rule.value);
  switch (rule.field) {
    case 'number':
      return w.channelId === rule.value;
    case 'language':
      return w.language !== null && norm(w.language).split(/[-_]/)[0] === want.split(/[-_]/)[0];
    case 'label':
      return w.labels.some((l) => norm(l) === want);
    case 'keyword':
      return w.text !== null && norm(w.text).split(/[^\p{L}\p{N}]+/u).includes(want);
    case 'attribute': {
      const v = rule.attribute ? w.attributes[rule.attribute] : undefined;
      return v !== undefined && v !== null && norm(String(v)) === want;
    }
  }
}

/**
 * Which team and which choice apply: the number's policy picks the team (its skills rules, or
 * its team setting, else the conversation's own team); the team's policy picks how the agent is
 * chosen, else the number's (round robin by default). Manual at either level leaves it queued.
 */
export function routeOf(w: Waiting, policies: Policies): Route {
  const cp = policies.channel.get(w.channelId);
  let teamId = w.teamId;
  let choice: AgentChoice | 'manual' = DEFAULT_CHOICE;
  let sticky = false;
  let policy: PolicyKind = cp?.kind ?? DEFAULT_CHOICE;
  if (cp) {
    if (cp.kind === 'skills') {
      const rule = (cp.settings.rules ?? []).find((r) => ruleMatches(r, w));
      teamId = rule?.teamId ?? cp.settings.teamId ?? teamId;
      choice = rule?.choice ?? cp.settings.fallback ?? DEFAULT_CHOICE;
    } else {
      teamId = cp.settings.teamId ?? teamId;
      choice = cp.kind === 'manual' ? 'manual' : cp.kind === 'sticky' ? (cp.settings.fallback ?? DEFAULT_CHOICE) : cp.kind;
      sticky = cp.kind === 'sticky';
    }
  }
  const tp = teamId ? policies.team.get(teamId) : undefined;
  if (tp && choice !== 'manual') {
    policy = tp.kind;
    choice = tp.kind === 'manual' ? 'manual' : tp.kind === 'sticky' || tp.kind === 'skills' ? (tp.settings.fallback ?? DEFAULT_CHOICE) : tp.kind;
    sticky = tp.kind === 'sticky';
  }
  return { teamId, choice, sticky, policy, scope: teamId ? `team:${teamId}` : `channel:${w.channelId}` };
}

/** Last turns per scope: who got a conversation when, in each routing scope (round robin's memory). */
export type Turns = Map<string, Map<string, number>>;

/**
 * Picks among agents with free capacity: round robin takes whoever got one least recently in
 * the scope; load balance whoever has the most free capacity, ties to whoever waited longest.
 */
export function chooseAgent(candidates: readonly Agent[], choice: AgentChoice, turns: Turns, scope: string): Agent | null {
  const scoped = turns.get(scope);
  const lastOf = (id: string) => scoped?.get(id) ?? -1;
  let best: Agent | null = null;
  for (const a of candidates) {
    if (a.open >= a.capacity) {
      continue;
    }
    if (!best) {
      best = a;
      continue;
    }
    const freeA: number = a.capacity - a.open;
    const freeB: number = best.capacity - best.open;
    if (choice === 'load_balance' && freeA !== freeB) {
      best = freeA > freeB ? a : best;
      continue;
    }
    const ta = lastOf(a.id);
    const tb = lastOf(best.id);
    if (ta < tb || (ta === tb && a.id < best.id)) {
      best = a;
    }
  }
  return best;
}

export type Reason = 'new_conversation' | 'returning_customer' | 'queued' | 'sticky_owner' | 'first_response_overdue';

export type Decision = {
  conversationId: string;
  /** null: nobody is eligible (or the policy is manual); it waits in the queue. */
  assigneeId: string | null;
  fromAssigneeId: string | null;
  teamId: string | null;
  policy: PolicyKind;
  reason: Reason;
  scope: string;
  turn: number | null;
};

export type PlanInput = {
  /** In queue order: priority first, then oldest first. */
  queue: ReadonlyArray<Waiting & { reason: Reason }>;
  agents: Agent[];
  policies: Policies;
  turns: Turns;
  /** Whether the agent's roles let them work the conversation once it is theirs (CASL). */
  mayWork: (agent: Agent, w: Waiting, teamId: string | null) => boolean;
  /** Agents the conversation must not go to (the one it is offered away from). */
  exclude?: (w: Waiting) => string | null;
  firstTurn: number;
};

/**
 * Decides the queue in order. Each assignment counts against the agent's capacity at once and
 * takes the next turn, so later conversations of the same batch see it: nobody is ever planned
 * above capacity, and round robin rotates within the batch as it does across batches.
 */
export function plan(input: PlanInput): Decision[] {
  let turn = input.firstTurn;
  const decisions: Decision[] = [];
  // Who may work a conversation depends on its number and team only (the router's CASL verdicts
  // are per agent, number and team): worked out once per pair, not once per conversation.
  const eligibleBy = new Map<string, Agent[]>();
  for (const w of input.queue) {
    const route = routeOf(w, input.policies);
    const base = { conversationId: w.id, fromAssigneeId: w.assigneeId, teamId: route.teamId, policy: route.policy, scope: route.scope };
    if (route.choice === 'manual') {
      decisions.push({ ...base, assigneeId: null, reason: w.reason, turn: null });
      continue;
    }
    const key = `${w.channelId}|${route.teamId ?? ''}`;
    let eligible = eligibleBy.get(key);
    if (!eligible) {
      eligible = input.agents.filter((a) => (route.teamId === null || a.teamIds.includes(route.teamId)) && input.mayWork(a, w, route.teamId));
      eligibleBy.set(key, eligible);
    }
    const excluded = input.exclude?.(w) ?? null;
    const candidates = excluded === null ? eligible : eligible.filter((a) => a.id !== excluded);
    const owner = route.sticky && w.assigneeId ? candidates.find((a) => a.id === w.assigneeId && a.open < a.capacity) : undefined;
    const chosen = owner ?? chooseAgent(candidates, route.choice, input.turns, route.scope);
    if (!chosen) {
      decisions.push({ ...base, assigneeId: null, reason: w.reason, turn: null });
      continue;
    }
    chosen.open += 1;
    turn += 1;
    const scoped = input.turns.get(route.scope) ?? new Map<string, number>();
    scoped.set(chosen.id, turn);
    input.turns.set(route.scope, scoped);
    decisions.push({ ...base, assigneeId: chosen.id, reason: owner ? 'sticky_owner' : w.reason, turn });
  }
  return decisions;
}
