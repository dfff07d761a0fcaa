/**
 * "500 agents online, 300 new conversations/s for 30 s: p99 from the inbound commit to the
 * assignment at or under 50 ms; fairness and capacity hold."
 * In-process, on a fresh migrated database: new customers' messages go through the real group
 * commit (InboundBatcher), the real Router is kicked after each commit as the webhook does, and
 * the assignment's commit is timed when the router publishes it (right after its commit). Agents
 * resolve what they hold after a few seconds, as they would, so capacity keeps freeing up.
 * Checked: every conversation assigned exactly once, nobody ever above capacity (sampled every
 * 250 ms and at the end), and round-robin counts differ by at most one. The baseline is a bare
 * single-row UPDATE round trip on the same database (its p99).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createDb, type Db } from '../../server/db/knex';
import { migrateLatest } from '../../server/db/migrate';
import { newId } from '../../server/lib/ids';
import { AuditLog } from '../../server/modules/audit/auditLog';
import { loadBuiltinRoles } from '../../server/modules/authz/catalogue';
import { InboundBatcher, type InboundRow } from '../../server/modules/inbox/inboundBatcher';
import type { LiveNotice } from '../../server/modules/inbox/liveNotices';
import { Router } from '../../server/modules/routing';
import type { Services } from '../../server/services';
import { benchLog, buildResult, createBenchDatabase, envNumber, progress, round, type Bench, type BenchResult } from './support';

const TARGET_P99_MS = 50;
const CAPACITY = 6;

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function seed(db: Db, agents: number): Promise<{ channelId: string; agentIds: string[] }> {
  const agentRole = loadBuiltinRoles().find((r) => r.key === 'agent')!;
  const roleId = newId();
  await db('roles').insert({ id: roleId, key: 'agent', name: 'Agent', description: '', builtin: true, rules: JSON.stringify(agentRole.rules) });
  const channelId = newId();
  await db('channels').insert({
    id: channelId, name: 'Bench', phone_number_id: '100000000000001', waba_id: '200000000000001', display_number: '+1 555 010 9999',
    access_token_enc: 'x', app_secret_enc: 'x', verify_token_enc: 'x',
  });
  const agentIds = Array.from({ length: agents }, () => newId());
  await db('users').insert(agentIds.map((id, i) => ({ id, email: `agent${i}@bench.test`, name: `Agent ${i}`, password_hash: 'x', must_change_password: false })));
  await db('user_roles').insert(agentIds.map((id) => ({ user_id: id, role_id: roleId })));
  await db('agent_availability').insert(agentIds.map((id) => ({ user_id: id, state: 'online', capacity: CAPACITY, last_heartbeat_at: new Date() })));
  return { channelId, agentIds };
}

function row(channelId: string, i: number): InboundRow {
  const now = new Date();
  return {
    messageId: newId(), createdAt: now, channelId, contactId: newId(), waId: `4470${String(i).padStart(9, '0')}`, profileName: null, country: 'GB',
    wamid: `wamid.bench.${randomUUID()}`, type: 'text', text: 'Hello', content: { body: 'Hello' }, media: null, contextWamid: null, sentAt: now,
    preview: 'Hello', raw: {}, conversationId: newId(),
  };
}

/** p99 of a bare single-row UPDATE round trip: the database's own floor for one write. */
async function baselineP99(db: Db, rounds: number): Promise<number> {
  await db.raw('CREATE TABLE bench_counter (id int PRIMARY KEY, n bigint NOT NULL)');
  await db.raw('INSERT INTO bench_counter VALUES (1, 0)');
  const times: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const started = performance.now();
    await db.raw('UPDATE bench_counter SET n = n + 1 WHERE id = 1');
    times.push(performance.now() - started);
  }
  return percentile(times.sort((a, b) => a - b), 99);
}

async function run(): Promise<BenchResult> {
  const agents = envNumber('BENCH_ROUTING_AGENTS', 500);
  const rate = envNumber('BENCH_ROUTING_RATE', 300);
  const seconds = envNumber('BENCH_SECONDS', 30);
  const lifetimeMs = envNumber('BENCH_ROUTING_LIFETIME_MS', 5000);
  const database = await createBenchDatabase();
  const db = createDb(database.url, 20);
  try {
    progress('migrating a fresh database for the routing bench');
    await migrateLatest(db);
    const { channelId } = await seed(db, agents);
    const committedAt = new Map<string, number>();
    const latencies: number[] = [];
    const publish = (notices: LiveNotice[]) => {
      const now = performance.now();
      for (const n of notices) {
        if (!('conversationId' in n)) {
          continue;
        }
        const t0 = committedAt.get(n.conversationId);
        if (t0 !== undefined) {
          latencies.push(now - t0);
          committedAt.delete(n.conversationId);
        }
      }
    };
    const services = { db, log: benchLog, audit: new AuditLog(db, benchLog, () => undefined), publish } as unknown as Services;
    const router = new Router(services);
    const batcher = new InboundBatcher(db);
    // As in a running process: the agents' roles are compiled before the first customer writes.
    await router.warm();

    // Agents resolve what they were given after `lifetimeMs`, freeing capacity (and kicking the router, as resolving does).
    let stopResolving = false;
    const resolver = (async () => {
      while (!stopResolving) {
        const resolved = await db('conversations').where('status', 'open').whereNotNull('assignee_id').where('assigned_at', '<', new Date(Date.now() - lifetimeMs)).update({ status: 'resolved', resolved_at: new Date() });
        if (resolved > 0) {
          router.kick();
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    let maxOpenSeen = 0;
    let stopSampling = false;
    const sampler = (async () => {
      while (!stopSampling) {
        const r = await db.raw<{ rows: Array<{ m: number | null }> }>(`SELECT max(n)::int AS m FROM (SELECT count(*) AS n FROM conversations WHERE status <> 'resolved' AND assignee_id IS NOT NULL GROUP BY assignee_id) x`);
        maxOpenSeen = Math.max(maxOpenSeen, r.rows[0]?.m ?? 0);
        await new Promise((r2) => setTimeout(r2, 250));
      }
    })();

    progress(`routing: ${agents} agents online (capacity ${CAPACITY}), ${rate} new conversations/s for ${seconds} s`);
    const total = Math.round(rate * seconds);
    const tickMs = 10;
    const perTick = (rate * tickMs) / 1000;
    const started = performance.now();
    const stores: Array<Promise<void>> = [];
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / tickMs) * perTick));
      for (; sent < due; sent += 1) {
        const r = row(channelId, sent);
        stores.push(
          batcher.store([r]).then(([result]) => {
            if (result && !result.duplicate) {
              committedAt.set(result.conversationId, performance.now());
            }
            router.kick();
          }),
        );
      }
      await new Promise((r) => setTimeout(r, tickMs));
    }
    await Promise.all(stores);
    const sendSeconds = (performance.now() - started) / 1000;
    // Whatever is still waiting needs capacity that the resolver frees: wait for the router to catch up.
    const deadline = Date.now() + 60_000;
    while (committedAt.size > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    stopResolving = true;
    stopSampling = true;
    await Promise.all([resolver, sampler]);
    await router.flush();

    const assignedEvents = await db.raw<{ rows: Array<{ n: number; conversations: number; once: boolean }> }>(
      `SELECT count(*)::int AS n, count(DISTINCT subject_id)::int AS conversations, count(*) = count(DISTINCT subject_id) AS once FROM audit_events WHERE action = 'routing.assigned'`,
    );
    const turns = await db.raw<{ rows: Array<{ min: number; max: number }> }>(`SELECT min(assigned_count)::int AS min, max(assigned_count)::int AS max FROM routing_turns`);
    const finalMax = await db.raw<{ rows: Array<{ m: number | null }> }>(`SELECT max(n)::int AS m FROM (SELECT count(*) AS n FROM conversations WHERE status <> 'resolved' AND assignee_id IS NOT NULL GROUP BY assignee_id) x`);
    maxOpenSeen = Math.max(maxOpenSeen, finalMax.rows[0]?.m ?? 0);
    const sorted = latencies.sort((a, b) => a - b);
    const p99 = percentile(sorted, 99);
    const baseline = await baselineP99(db, 2000);
    const events = assignedEvents.rows[0]!;
    const spread = (turns.rows[0]?.max ?? 0) - (turns.rows[0]?.min ?? 0);
    return buildResult({
      name: 'routing',
      metric: 'p99 ms',
      value: p99,
      baseline,
      unit: 'milliseconds from the inbound commit to the assignment commit (p99)',
      target: { of: 'value', atMost: TARGET_P99_MS },
      details: {
        settings: { agents, capacity: CAPACITY, ratePerSec: rate, seconds, conversationLifetimeMs: lifetimeMs },
        sent: total, sendSeconds: round(sendSeconds, 2), assigned: latencies.length, waitingAtEnd: committedAt.size,
        latencyMs: { p50: round(percentile(sorted, 50), 2), p90: round(percentile(sorted, 90), 2), p99: round(p99, 2), max: round(sorted[sorted.length - 1] ?? 0, 2) },
        baselineUpdateP99Ms: round(baseline, 3),
        invariants: { assignedEvents: events.n, conversationsAssigned: events.conversations, maxOpenPerAgentSeen: maxOpenSeen, roundRobinSpread: spread },
      },
      checks: {
        everyConversationAssigned: events.conversations === total && committedAt.size === 0,
        neverAssignedTwice: events.once,
        neverAboveCapacity: maxOpenSeen <= CAPACITY,
        roundRobinCountsWithinOne: spread <= 1,
      },
    });
  } finally {
    await db.destroy();
    await database.drop();
  }
}

const bench: Bench = { name: 'routing', description: 'Router: inbound commit to assignment, 500 agents, 300 conversations/s; fairness and capacity checked', run };
export default bench;
