/**
 * "With 5,000 keyword rules loaded, p99 from the inbound webhook to the auto-reply reaching the
 * sandbox at or under 100 ms; rule evaluation well under a millisecond per message." The app runs
 * in a child process (role all: webhooks, auto-replies, sender) against a sandbox Cloud API in
 * this process, so the start (just before the simulated customer's message is handed to the
 * sandbox, which signs and POSTs the webhook) and the end (the sandbox accepting the reply) are
 * read on one clock. Each message comes from a new customer (no per-recipient pacing), open-loop
 * at a fixed rate. Same run, same app: the baseline is the same roundtrip with one rule loaded;
 * the value with 5,000 (word, contains, exact and regex rules, as admins write them).
 * A second result is the evaluation alone: compiled rules matched in this process, µs/message.
 *
 * Knobs: BENCH_AUTOREPLY_RATE (messages/s, default 20), BENCH_AUTOREPLY_SECONDS (per phase,
 * default 15), BENCH_AUTOREPLY_RULES (default 5000).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { createDb, type Db } from '../../server/db/knex';
import { newId } from '../../server/lib/ids';
import { CompiledRules, type MatchableRule, type MatchMode } from '../../server/modules/autoreply/match';
import { createSandbox } from '../../server/sandbox';
import type { Sandbox, SandboxNumber } from '../../server/sandbox/types';
import { CONFIG_ENV } from './servers/child';
import { buildResult, createBenchDatabase, envNumber, forkServer, progress, round, signInBootstrapAdmin, type Bench, type BenchDatabase, type BenchResult, type ChildServer } from './support';
import { percentile, POOL_MAX } from './webhookLoad';

const TARGET_P99_MS = 100;
const TARGET_EVAL_US = 100;
// A reply later than this counts as never arrived.
const ARRIVAL_DEADLINE_MS = 10_000;
const ANSWER = 'Your parcel is on its way.';

const settings = () => ({
  rate: envNumber('BENCH_AUTOREPLY_RATE', 20),
  seconds: envNumber('BENCH_AUTOREPLY_SECONDS', 15),
  rules: envNumber('BENCH_AUTOREPLY_RULES', 5000),
});

/** A made-up word no message contains ("zq" + base-26 letters + "xv"). */
const word = (i: number) => `zq${[...i.toString(26)].map((d) => String.fromCharCode(97 + parseInt(d, 26))).join('')}xv`;

/** `count` rules as admins write them: mostly whole words and phrases, some contains, exact answers and regexes. */
function fillerRules(count: number): Array<{ mode: MatchMode; keywords: string[] }> {
  return Array.from({ length: count }, (_, i) => {
    if (i % 100 === 0) {
      return { mode: 'regex' as const, keywords: [`\\b${word(i)} ?\\d{4,6}\\b`] };
    }
    const mode: MatchMode = i % 10 < 6 ? 'word' : i % 10 < 9 ? 'contains' : 'exact';
    return { mode, keywords: [word(i), `${word(i + count)} ${word(i + 2 * count)}`] };
  });
}

async function insertRules(db: Db, rules: Array<{ mode: MatchMode; keywords: string[]; priority?: number; cooldown?: number; answer?: string }>): Promise<void> {
  for (let i = 0; i < rules.length; i += 1000) {
    const chunk = rules.slice(i, i + 1000).map((r, k) => ({
      id: newId(), name: `Rule ${i + k}`, mode: r.mode, keywords: r.keywords, priority: r.priority ?? 0, cooldown_seconds: r.cooldown ?? 3600,
      answer: JSON.stringify({ kind: 'text', text: r.answer ?? `answer ${i + k}` }), channel_ids: [],
    }));
    await db('autoreply_rules').insert(chunk);
  }
  // As the app's own changes do: every process recompiles at the next message.
  await db('autoreply_version').where({ id: 1 }).increment('version', 1);
}

/** A port nothing listens on right now (the app binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

type Sample = { waId: string; sentAt: number };

/**
 * Where the time goes, per conversation of a phase (the app's clock is this machine's): the
 * webhook stored the message (`stored`), the auto-reply queued the answer (`queued`), the sender
 * had it accepted (`accepted`, from the sandbox).
 */
async function stages(db: Db, prefix: string, samples: Sample[], acceptedAt: (s: Sample) => number | undefined) {
  const rows = (await db('messages as m').join('contacts as k', 'k.id', 'm.contact_id').where('k.wa_id', 'like', `${prefix}%`)
    .groupBy('k.wa_id').select('k.wa_id')
    .min({ stored: db.raw(`CASE WHEN m.direction = 'in' THEN m.created_at END`) })
    .min({ queued: db.raw(`CASE WHEN m.author_type = 'bot' THEN m.created_at END`) })) as Array<{ wa_id: string; stored: Date | null; queued: Date | null }>;
  const byWaId = new Map(rows.map((r) => [r.wa_id, r]));
  const webhook: number[] = [];
  const decide: number[] = [];
  const send: number[] = [];
  for (const s of samples) {
    const r = byWaId.get(s.waId);
    const accepted = acceptedAt(s);
    if (r?.stored) {
      webhook.push(r.stored.getTime() - s.sentAt);
    }
    if (r?.stored && r.queued) {
      decide.push(r.queued.getTime() - r.stored.getTime());
    }
    if (r?.queued && accepted !== undefined) {
      send.push(accepted - r.queued.getTime());
    }
  }
  const p = (xs: number[]) => ({ p50Ms: round(percentile(xs.sort((a, b) => a - b), 50)), p99Ms: round(percentile(xs, 99)) });
  return { toStored: p(webhook), storedToQueued: p(decide), queuedToAccepted: p(send) };
}

/** One phase: new customers write at `rate`/s for `seconds`; each reply's arrival in the sandbox is timed. */
async function phase(sandbox: Sandbox, number: SandboxNumber, prefix: string, rate: number, seconds: number) {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const samples: Sample[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const waId = `${prefix}${String(i).padStart(7, '0')}`;
    const sample = { waId, sentAt: Date.now() };
    samples.push(sample);
    void sandbox.customerSends({ phoneNumberId: number.phoneNumberId, from: waId, profileName: `Customer ${i}`, message: { type: 'text', body: `Hello, where is my parcel? (${i})` } });
  }
  const replyAt = (s: Sample) => {
    const out = sandbox.conversation(number.phoneNumberId, s.waId).find((m) => m.direction === 'out');
    return out ? Date.parse(out.at) : undefined;
  };
  const deadline = Math.max(Date.now(), (samples[samples.length - 1]?.sentAt ?? 0)) + ARRIVAL_DEADLINE_MS;
  while (Date.now() < deadline && samples.some((s) => replyAt(s) === undefined)) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const latencies = samples.map((s) => {
    const at = replyAt(s);
    return at === undefined ? ARRIVAL_DEADLINE_MS : Math.max(0, at - s.sentAt);
  }).sort((a, b) => a - b);
  const missing = samples.filter((s) => replyAt(s) === undefined).length;
  const wrong = samples.filter((s) => {
    const out = sandbox.conversation(number.phoneNumberId, s.waId).find((m) => m.direction === 'out');
    return out !== undefined && (out.body as { body?: string }).body !== ANSWER;
  }).length;
  return { messages: total, latencies, missing, wrong, samples, acceptedAt: replyAt };
}

/** Rule evaluation alone: µs per message with `count` rules compiled, over messages that match one rule or none. */
function evaluation(count: number): { usPerMessage: number; compileMs: number; messages: number } {
  const rules: MatchableRule[] = fillerRules(count - 1).map((r, i) => ({ id: `r${i}`, priority: 0, ...r }));
  rules.push({ id: 'parcel', priority: 10, mode: 'word', keywords: ['parcel'] });
  const compileStart = performance.now();
  const compiled = new CompiledRules(rules);
  const compileMs = performance.now() - compileStart;
  const texts = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? `Hello, where is my parcel? Order ${i} — merci beaucoup, à bientôt` : `Bonjour, je voudrais changer l’adresse de livraison de ma commande ${word(i * 7 + 3)}`));
  let sink = 0;
  for (let i = 0; i < 2000; i += 1) {
    sink += compiled.match(texts[i % texts.length]!).length;
  }
  const rounds = 20_000;
  const started = performance.now();
  for (let i = 0; i < rounds; i += 1) {
    sink += compiled.match(texts[i % texts.length]!).length;
  }
  const elapsed = performance.now() - started;
  if (sink === 0) {
    throw new Error('no message matched: the evaluation measured nothing');
  }
  return { usPerMessage: (elapsed * 1000) / rounds, compileMs, messages: rounds };
}

async function run(): Promise<BenchResult[]> {
  const load = settings();
  const databases: BenchDatabase[] = [];
  const servers: ChildServer[] = [];
  let sandbox: Sandbox | null = null;
  let sandboxServer: { url: string; close(): Promise<void> } | null = null;
  let db: Db | null = null;
  try {
    const database = await createBenchDatabase();
    databases.push(database);
    const number: SandboxNumber = {
      phoneNumberId: '106000000000001', wabaId: '406000000000001', displayNumber: '+1 555 0160001', verifiedName: 'Bench auto-replies',
      accessToken: `bench-token-${randomBytes(6).toString('hex')}`, appSecret: randomBytes(16).toString('hex'), throughputMps: 1000,
    };
    const appPort = await freePort();
    sandbox = createSandbox({ numbers: [number], webhookUrl: `http://127.0.0.1:${appPort}/webhooks/whatsapp`, statusDelaysMs: { sent: 50, delivered: 300, read: 1500 }, autoRead: false });
    sandboxServer = await sandbox.listen(0);
    progress(`sandbox at ${sandboxServer.url}; starting the app (role all) in a child process`);
    const app = await forkServer('switchboard', {
      [CONFIG_ENV]: JSON.stringify({
        NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(appPort), ...database.appUrls, DATABASE_POOL_MAX: String(POOL_MAX),
        SWITCHBOARD_MASTER_KEY: randomBytes(32).toString('base64'), SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'false', LOG_LEVEL: 'warn',
        GRAPH_ALLOWED_HOSTS: new URL(sandboxServer.url).origin,
      }),
    });
    servers.push(app);
    const bootstrap = (app.info as { bootstrap?: { email: string; password: string } }).bootstrap!;
    const cookie = await signInBootstrapAdmin(app.url, bootstrap);
    const csrf = ((await (await fetch(`${app.url}/api/v1/me`, { headers: { cookie } })).json()) as { csrfToken: string }).csrfToken;
    const created = await fetch(`${app.url}/api/v1/channels`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
      body: JSON.stringify({ name: number.verifiedName, phoneNumberId: number.phoneNumberId, wabaId: number.wabaId, displayNumber: number.displayNumber, graphBaseUrl: `${sandboxServer.url}/graph`, accessToken: number.accessToken, appSecret: number.appSecret, verifyToken: randomBytes(12).toString('hex'), lane: 'dedicated', throughputMps: 1000 }),
    });
    if (created.status !== 201) {
      throw new Error(`POST /api/v1/channels answered ${created.status} ${await created.text()}`);
    }
    db = createDb(database.url, 4);
    await db('channels').update({ messaging_tier: 'TIER_UNLIMITED' });
    await insertRules(db, [{ mode: 'word', keywords: ['parcel'], priority: 10, answer: ANSWER }]);

    progress('warm-up');
    await phase(sandbox, number, '4460', load.rate, 2);
    progress(`baseline: one rule, ${load.rate} msg/s for ${load.seconds} s`);
    const one = await phase(sandbox, number, '4461', load.rate, load.seconds);
    progress(`loading ${load.rules - 1} more rules`);
    await insertRules(db, fillerRules(load.rules - 1));
    await phase(sandbox, number, '4462', load.rate, 2);
    progress(`measuring: ${load.rules} rules, ${load.rate} msg/s for ${load.seconds} s`);
    const many = await phase(sandbox, number, '4463', load.rate, load.seconds);
    const manyStages = await stages(db, '4463', many.samples, many.acceptedAt);
    const oneStages = await stages(db, '4461', one.samples, one.acceptedAt);
    const botMessages = Number(((await db('messages').where({ author_type: 'bot' }).count<Array<{ n: string }>>('* as n')) as Array<{ n: string }>)[0]!.n);
    const evalResult = evaluation(load.rules);

    const ms = (x: number) => round(x, 1);
    const summary = (r: Awaited<ReturnType<typeof phase>>, split: Awaited<ReturnType<typeof stages>>) => ({
      stages: split, messages: r.messages, missing: r.missing, wrongAnswer: r.wrong,
      p50Ms: ms(percentile(r.latencies, 50)), p95Ms: ms(percentile(r.latencies, 95)), p99Ms: ms(percentile(r.latencies, 99)), maxMs: ms(r.latencies[r.latencies.length - 1] ?? 0),
    });
    const p99 = percentile(many.latencies, 99);
    const baselineP99 = percentile(one.latencies, 99);
    const sandboxStats = sandbox.stats();
    return [
      buildResult({
        name: 'autoreply',
        metric: 'p99 ms',
        value: p99,
        baseline: baselineP99,
        unit: `ms from the customer's message handed to the sandbox (webhook) to the auto-reply accepted by the sandbox, p99, ${load.rules} rules; baseline: the same with one rule`,
        target: { of: 'value', atMost: TARGET_P99_MS },
        details: {
          settings: { ...load, openLoop: true, arrivalDeadlineMs: ARRIVAL_DEADLINE_MS },
          withRules: summary(many, manyStages),
          withOneRule: summary(one, oneStages),
          botMessagesStored: botMessages,
          sandboxViolationsByCode: sandboxStats.violations,
          evaluation: { usPerMessage: round(evalResult.usPerMessage, 2), compileMs: round(evalResult.compileMs) },
        },
        checks: {
          [`p99AtMost${TARGET_P99_MS}Ms`]: p99 <= TARGET_P99_MS,
          everyReplyArrived: many.missing === 0 && one.missing === 0,
          everyReplyTheRulesAnswer: many.wrong === 0 && one.wrong === 0,
        },
      }),
      buildResult({
        name: 'autoreply-evaluation',
        metric: 'µs/message',
        value: round(evalResult.usPerMessage, 2),
        baseline: round(evalResult.usPerMessage, 2),
        unit: `µs to find the rules a message matches among ${load.rules} compiled rules (normalisation included), in one process`,
        target: { of: 'value', atMost: TARGET_EVAL_US },
        details: { messages: evalResult.messages, compileMs: round(evalResult.compileMs), rules: load.rules },
        checks: { underAMillisecond: evalResult.usPerMessage < 1000 },
      }),
    ];
  } finally {
    await db?.destroy().catch(() => undefined);
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
    await sandbox?.close().catch(() => undefined);
    await sandboxServer?.close().catch(() => undefined);
    await Promise.all(databases.map((d) => d.drop().catch((err: Error) => progress(`could not drop ${d.name}: ${err.message}`))));
  }
}

const bench: Bench = {
  name: 'autoreply',
  description: `inbound webhook to auto-reply in the sandbox with 5,000 rules: p99 <= ${TARGET_P99_MS} ms; rule evaluation <= ${TARGET_EVAL_US} µs/message`,
  run,
};

export default bench;
