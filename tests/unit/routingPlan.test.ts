import { expect } from 'chai';
import fc from 'fast-check';
import { plan, routeOf, type Agent, type Policies, type Policy, type Reason, type Turns, type Waiting } from '../../server/modules/routing/plan';

const CHANNEL = 'c0000000-0000-7000-8000-000000000001';
const TEAMS = ['t0000000-0000-7000-8000-00000000000a', 't0000000-0000-7000-8000-00000000000b'];
const noPolicies: Policies = { channel: new Map(), team: new Map() };

let seq = 0;
function waiting(over: Partial<Waiting & { reason: Reason }> = {}): Waiting & { reason: Reason } {
  seq += 1;
  return {
    id: `w${String(seq).padStart(6, '0')}`, channelId: CHANNEL, teamId: null, assigneeId: null, language: null, labels: [], attributes: {}, text: null,
    reason: 'new_conversation', ...over,
  };
}

const everyone = () => true;

describe('routing plan (pure): invariants on random inputs', () => {
  it('never plans an agent above their capacity, whatever the policies, teams, capacities and queue', () => {
    const agentArb = fc.record({ capacity: fc.integer({ min: 0, max: 5 }), open: fc.integer({ min: 0, max: 7 }), teams: fc.subarray(TEAMS) });
    const convArb = fc.record({ team: fc.constantFrom<string | null>(null, ...TEAMS) });
    const kindArb = fc.constantFrom<Policy['kind']>('round_robin', 'load_balance', 'sticky');
    fc.assert(
      fc.property(fc.array(agentArb, { minLength: 1, maxLength: 8 }), fc.array(convArb, { maxLength: 40 }), kindArb, kindArb, (specs, convs, teamKind, channelKind) => {
        const agents: Agent[] = specs.map((a, i) => ({ id: `a${i}`, capacity: a.capacity, open: a.open, teamIds: a.teams }));
        const startOpen = new Map(agents.map((a) => [a.id, a.open]));
        const policies: Policies = {
          channel: new Map([[CHANNEL, { kind: channelKind, settings: {} }]]),
          team: new Map(TEAMS.map((t) => [t, { kind: teamKind, settings: {} }])),
        };
        const decisions = plan({
          queue: convs.map((c) => waiting({ teamId: c.team, assigneeId: agents[0]!.id })), agents, policies, turns: new Map(), mayWork: everyone, firstTurn: 0,
        });
        const given = new Map<string, number>();
        for (const d of decisions.filter((x) => x.assigneeId)) {
          given.set(d.assigneeId!, (given.get(d.assigneeId!) ?? 0) + 1);
        }
        for (const a of agents) {
          const before = startOpen.get(a.id)!;
          const got = given.get(a.id) ?? 0;
          // Nobody above capacity; an agent already at or over it (capacity lowered) gets nothing.
          expect(got === 0 || before + got <= a.capacity, `${a.id}: ${before} + ${got} > ${a.capacity}`).to.equal(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('round robin: among agents who stayed online, assignment counts differ by at most one', () => {
    // Events: a customer arrives, or an agent goes offline / comes back. Agents 0-2 never leave.
    const eventArb = fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('arrive' as const), batch: fc.integer({ min: 1, max: 4 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('toggle' as const), agent: fc.integer({ min: 3, max: 5 }) }) },
    );
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 80 }), (events) => {
        const all: Agent[] = Array.from({ length: 6 }, (_, i) => ({ id: `a${i}`, capacity: 10_000, open: 0, teamIds: [] }));
        const online = new Set(all.map((a) => a.id));
        const turns: Turns = new Map();
        let turn = 0;
        const counts = new Map<string, number>();
        for (const e of events) {
          if (e.kind === 'toggle') {
            const id = `a${e.agent}`;
            online.has(id) ? online.delete(id) : online.add(id);
            continue;
          }
          const queue = Array.from({ length: e.batch }, () => waiting());
          const decisions = plan({ queue, agents: all.filter((a) => online.has(a.id)), policies: noPolicies, turns, mayWork: everyone, firstTurn: turn });
          for (const d of decisions) {
            expect(d.assigneeId).to.not.equal(null);
            counts.set(d.assigneeId!, (counts.get(d.assigneeId!) ?? 0) + 1);
            turn = Math.max(turn, d.turn ?? turn);
          }
        }
        const stayed = ['a0', 'a1', 'a2'].map((id) => counts.get(id) ?? 0);
        expect(Math.max(...stayed) - Math.min(...stayed), JSON.stringify(stayed)).to.be.at.most(1);
      }),
      { numRuns: 300 },
    );
  });

  it('drains the queue in order when capacity appears: the first k waiting get the k free places', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 30 }),
        fc.constantFrom<'round_robin' | 'load_balance'>('round_robin', 'load_balance'),
        (freed, waitingCount, kind) => {
          // Every agent was full (capacity 3, 3 open); each has now freed some places.
          const agents: Agent[] = freed.map((f, i) => ({ id: `a${i}`, capacity: 3, open: 3 - f, teamIds: [] }));
          const queue = Array.from({ length: waitingCount }, () => waiting());
          const policies: Policies = { channel: new Map([[CHANNEL, { kind, settings: {} }]]), team: new Map() };
          const decisions = plan({ queue, agents, policies, turns: new Map(), mayWork: everyone, firstTurn: 0 });
          const free = freed.reduce((a, b) => a + b, 0);
          const assigned = decisions.map((d) => d.assigneeId !== null);
          const expected = queue.map((_, i) => i < free);
          expect(assigned).to.deep.equal(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('routing plan (pure): policies', () => {
  const agent = (id: string, teamIds: string[] = [], open = 0, capacity = 6): Agent => ({ id, capacity, open, teamIds });

  it('load balance gives the agent with the most free capacity, ties to whoever waited longest', () => {
    const policies: Policies = { channel: new Map([[CHANNEL, { kind: 'load_balance', settings: {} }]]), team: new Map() };
    const turns: Turns = new Map([[`channel:${CHANNEL}`, new Map([['a', 5], ['b', 2]])]]);
    const [first] = plan({ queue: [waiting()], agents: [agent('a', [], 1), agent('b', [], 1), agent('c', [], 3)], policies, turns, mayWork: everyone, firstTurn: 5 });
    expect(first!.assigneeId).to.equal('b');
  });

  it('skills rules on language, label, keyword and attribute choose the team; agents come from it', () => {
    const [ta, tb] = TEAMS as [string, string];
    const policies: Policies = {
      channel: new Map([[CHANNEL, { kind: 'skills', settings: { teamId: ta, rules: [
        { field: 'keyword', value: 'facture', teamId: tb, choice: 'round_robin' },
        { field: 'label', value: 'VIP', teamId: tb, choice: 'load_balance' },
        { field: 'attribute', attribute: 'plan', value: 'gold', teamId: tb, choice: 'round_robin' },
        { field: 'language', value: 'fr', teamId: tb, choice: 'round_robin' },
      ] } }]]),
      team: new Map(),
    };
    expect(routeOf(waiting({ text: 'Ma FACTURE est fausse' }), policies).teamId).to.equal(tb);
    expect(routeOf(waiting({ text: 'facturation' }), policies).teamId).to.equal(ta);
    expect(routeOf(waiting({ labels: ['vip'] }), policies)).to.include({ teamId: tb, choice: 'load_balance' });
    expect(routeOf(waiting({ attributes: { plan: 'Gold' } }), policies).teamId).to.equal(tb);
    expect(routeOf(waiting({ language: 'fr-CA' }), policies).teamId).to.equal(tb);
    const [d] = plan({ queue: [waiting({ language: 'fr' })], agents: [agent('x', [ta]), agent('y', [tb])], policies, turns: new Map(), mayWork: everyone, firstTurn: 0 });
    expect(d!.assigneeId).to.equal('y');
  });

  it('sticky owner: a returning customer goes back to their agent when online with capacity, else to another', () => {
    const policies: Policies = { channel: new Map([[CHANNEL, { kind: 'sticky', settings: { fallback: 'round_robin' } }]]), team: new Map() };
    const back = waiting({ assigneeId: 'b', reason: 'returning_customer' });
    const [kept] = plan({ queue: [back], agents: [agent('a'), agent('b')], policies, turns: new Map(), mayWork: everyone, firstTurn: 0 });
    expect(kept).to.include({ assigneeId: 'b', reason: 'sticky_owner' });
    const [moved] = plan({ queue: [waiting({ assigneeId: 'b' })], agents: [agent('a'), agent('b', [], 6)], policies, turns: new Map(), mayWork: everyone, firstTurn: 0 });
    expect(moved!.assigneeId).to.equal('a');
  });

  it('manual leaves the conversation in the queue; nobody eligible leaves it waiting', () => {
    const manual: Policies = { channel: new Map([[CHANNEL, { kind: 'manual', settings: {} }]]), team: new Map() };
    expect(plan({ queue: [waiting()], agents: [agent('a')], policies: manual, turns: new Map(), mayWork: everyone, firstTurn: 0 })[0]!.assigneeId).to.equal(null);
    expect(plan({ queue: [waiting()], agents: [agent('a')], policies: noPolicies, turns: new Map(), mayWork: () => false, firstTurn: 0 })[0]!.assigneeId).to.equal(null);
  });
});
