/**
 * The archive bench's `search` part (see archive.bench.ts): searchP95Ms, the p95 of the
 * e-discovery search (the real command: first page of 25 with highlights, the capped count and
 * the audit record) for one keyword within a three-month range and one agent, over
 * ARCHIVE_MESSAGES (5,000,000) messages spread over 24 monthly partitions. Target: <= 300 ms.
 * Baseline: the same filters with the keyword matched by `unaccent(text) ILIKE '%word%'` (what a
 * search without the full-text index costs), measured on fewer runs since each scans the range.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createDb } from '../../server/db/knex';
import { migrateLatest } from '../../server/db/migrate';
import { grantRuntimeRole } from '../../server/db/roles';
import { systemActor } from '../../server/lib/actor';
import { AuditLog } from '../../server/modules/audit/auditLog';
import { searchArchive } from '../../server/modules/discovery/search';
import { benchLog, buildResult, createBenchDatabase, envNumber, progress, round, type BenchResult } from './support';

const TARGET_P95_MS = 300;
const MONTHS = 24;
const CHANNELS = 10;
const AGENTS = 20;
const CONVERSATIONS = 20_000;
// Everyday words of the languages customers write in (accents included), and the rarer words a
// search looks for: each message takes 8 common words, and one message in 200 a rare one.
const COMMON = `bonjour merci commande livraison colis adresse numéro demain aujourd'hui semaine client produit prix paiement carte
  compte problème réponse question rendez-vous heure matin après-midi soir magasin boutique retour échange taille couleur
  hello thanks order delivery parcel address number tomorrow today week customer product price payment card account problem
  answer question appointment hour morning afternoon evening store shop return exchange size colour please help received sent
  hola gracias pedido entrega paquete dirección mañana cliente precio pago tarjeta cuenta problema respuesta tienda talla
  hallo danke bestellung lieferung paket adresse morgen kunde preis zahlung karte konto problem antwort geschäft größe grüße
  été café déjà très bientôt reçu envoyé voilà ça où`.split(/\s+/).filter(Boolean);
const RARE = ['remboursement', 'réclamation', 'avocat', 'litige', 'fraude', 'résiliation', 'garantie', 'contrat'];
const KEYWORD = 'remboursement';

function sqlArray(words: string[]): string {
  return `ARRAY[${words.map((w) => `'${w.replace(/'/g, "''")}'`).join(',')}]::text[]`;
}

/** SQL for `count` words of the vocabulary `w` (length `n`), picked by hashes of the row number `i`. */
function words(count: number): string {
  return Array.from({ length: count }, (_, k) => `w[1 + (abs(hashint8(i * ${count + 1} + ${k})::bigint) % n)::int]`).join(" || ' ' || ");
}

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
}

/** searchP95Ms: the e-discovery search over millions of messages, against an unindexed ILIKE of the same filters. */
export async function searchPart(): Promise<BenchResult> {
  const total = Math.round(envNumber('ARCHIVE_MESSAGES', 5_000_000));
  const runs = Math.round(envNumber('BENCH_SEARCH_RUNS', 50));
  const baselineRuns = Math.round(envNumber('BENCH_SEARCH_BASELINE_RUNS', 5));
  const database = await createBenchDatabase();
  const migrator = createDb(database.appUrls.DATABASE_OWNER_URL, 2);
  // One connection: the seeding's temporary tables live in its session.
  const owner = createDb(database.appUrls.DATABASE_OWNER_URL, 1);
  const db = createDb(database.appUrls.DATABASE_URL, 4);
  const audit = new AuditLog(db, benchLog);
  try {
    progress('migrating a fresh database for the archive search bench');
    await migrateLatest(migrator, () => grantRuntimeRole(migrator, decodeURIComponent(new URL(database.appUrls.DATABASE_URL).username)));
    const now = new Date();
    const firstMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (MONTHS - 1), 1));
    const seedStarted = performance.now();
    progress(`seeding ${total} messages over ${MONTHS} months, ${CHANNELS} numbers, ${AGENTS} agents (set-based SQL)`);
    await owner.raw(`SELECT ensure_message_partition((CAST(? AS date) + make_interval(months => m))::date) FROM generate_series(0, ?) AS m`, [firstMonth, MONTHS - 1]);
    const tag = randomBytes(3).toString('hex');
    await owner.raw(`INSERT INTO users (id, email, name, password_hash) SELECT gen_random_uuid(), 'agent' || a || '-${tag}@bench.test', 'Agent ' || a, 'x' FROM generate_series(1, ?) AS a`, [AGENTS]);
    await owner.raw(`INSERT INTO channels (id, name, phone_number_id, waba_id, display_number, access_token_enc, app_secret_enc, verify_token_enc)
      SELECT gen_random_uuid(), 'Bench ' || c, 'bench-${tag}-' || c, 'waba-${tag}', '+1 555 01' || lpad(c::text, 2, '0'), 'unused', 'unused', 'unused' FROM generate_series(1, ?) AS c`, [CHANNELS]);
    // Conversation k: contact k, number k % CHANNELS, assigned to agent k % AGENTS.
    await owner.raw(`CREATE TEMP TABLE bench_agents AS SELECT row_number() OVER (ORDER BY email) - 1 AS k, id FROM users WHERE email LIKE '%-${tag}@bench.test'`);
    await owner.raw(`CREATE TEMP TABLE bench_channels AS SELECT row_number() OVER (ORDER BY phone_number_id) - 1 AS k, id FROM channels WHERE waba_id = 'waba-${tag}'`);
    await owner.raw(`CREATE TEMP TABLE bench_threads AS SELECT k, gen_random_uuid() AS contact_id, gen_random_uuid() AS conversation_id FROM generate_series(0, ? - 1) AS k`, [CONVERSATIONS]);
    await owner.raw(`INSERT INTO contacts (id, wa_id) SELECT contact_id, (33600000000 + k)::text FROM bench_threads`);
    await owner.raw(`INSERT INTO conversations (id, contact_id, channel_id, assignee_id)
      SELECT t.conversation_id, t.contact_id, c.id, a.id FROM bench_threads t JOIN bench_channels c ON c.k = t.k % ${CHANNELS} JOIN bench_agents a ON a.k = t.k % ${AGENTS}`);
    await owner.raw('ALTER TABLE bench_threads ADD PRIMARY KEY (k)');
    // The GIN index is built once after the load (as a restore would), not row by row.
    await owner.raw('DROP INDEX messages_search_idx');
    const chunk = 500_000;
    for (let start = 0; start < total; start += chunk) {
      const end = Math.min(total, start + chunk) - 1;
      // Message i: conversation i % CONVERSATIONS, every other one an agent's reply, spread evenly over the months.
      await owner.raw(
        `INSERT INTO messages (id, created_at, conversation_id, channel_id, contact_id, direction, type, text, author_type, author_id, status)
         SELECT gen_random_uuid(), CAST(? AS timestamptz) + (i::float8 / ?) * (CAST(? AS timestamptz) - CAST(? AS timestamptz)),
                cv.id, cv.channel_id, cv.contact_id, CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END, 'text',
                ${words(8)} ||
                CASE WHEN abs(hashint8(-i)::bigint) % 200 = 0 THEN ' ' || r[1 + (abs(hashint8(i + 7)::bigint) % cardinality(r))::int] ELSE '' END,
                CASE WHEN i % 2 = 0 THEN 'customer' ELSE 'agent' END, CASE WHEN i % 2 = 0 THEN NULL ELSE cv.assignee_id END, 'received'
           FROM generate_series(CAST(? AS bigint), CAST(? AS bigint)) AS i
           CROSS JOIN (SELECT ${sqlArray(COMMON)} AS w, ${sqlArray(RARE)} AS r) AS v
           CROSS JOIN LATERAL (SELECT cardinality(v.w) AS n) AS len
           JOIN bench_threads t ON t.k = i % ${CONVERSATIONS}
           JOIN conversations cv ON cv.id = t.conversation_id`,
        [firstMonth, total, now, firstMonth, start, end],
      );
      progress(`  ${end + 1} / ${total} messages`);
    }
    progress('building the search index and analysing');
    await owner.raw('CREATE INDEX messages_search_idx ON messages USING gin (search)');
    await owner.raw('ANALYZE messages');
    await owner.raw('ANALYZE conversations');
    const seedMs = performance.now() - seedStarted;
    progress(`seeded in ${round(seedMs / 1000)} s`);

    const agent = (await db('users').where('email', 'like', `agent1-${tag}@%`).first('id')) as { id: string };
    // The three months before last: full months, well inside the archive.
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 4, 1)).toISOString();
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString();
    const filters = { query: KEYWORD, agentIds: [agent.id], from, to };
    const deps = { db, audit, masterKey: randomBytes(32) };
    const first = await searchArchive(deps, systemActor, { filters, limit: 25 });
    const samples: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const started = performance.now();
      await searchArchive(deps, systemActor, { filters, limit: 25 });
      samples.push(performance.now() - started);
    }
    const baseline: number[] = [];
    let baselineRows = 0;
    for (let i = 0; i < baselineRuns; i += 1) {
      const started = performance.now();
      const rows = await db.raw<{ rows: Array<{ id: string }> }>(
        `SELECT m.id FROM messages m WHERE public.unaccent(m.text) ILIKE ? AND m.created_at >= ? AND m.created_at < ?
            AND (m.author_id = ? OR m.conversation_id IN (SELECT id FROM conversations WHERE assignee_id = ?))
          ORDER BY m.created_at DESC, m.id DESC LIMIT 26`,
        [`%${KEYWORD}%`, from, to, agent.id, agent.id],
      );
      baselineRows = rows.rows.length;
      baseline.push(performance.now() - started);
    }
    const highlighted = first.items.every((h) => h.highlights.some((f) => f.marks.some((m) => f.text.slice(m.start, m.end).toLowerCase() === KEYWORD)));
    const checks = {
      found: first.items.length > 0,
      everyResultMarksTheKeyword: highlighted,
      baselineFindsTheSameFirstPage: baselineRows === Math.min(26, first.items.length + (first.nextCursor ? 1 : 0)),
    };
    return buildResult({
      name: 'archive',
      metric: 'searchP95Ms',
      value: p95(samples),
      baseline: p95(baseline),
      unit: 'milliseconds, p95 of one search (keyword + three months + one agent, first page)',
      target: { of: 'value', atMost: TARGET_P95_MS },
      details: {
        settings: { messages: total, months: MONTHS, numbers: CHANNELS, agents: AGENTS, conversations: CONVERSATIONS, runs, baselineRuns, keyword: KEYWORD },
        seedMs: round(seedMs),
        search: { p50: round(samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!), p95: round(p95(samples)), total: first.total, totalCapped: first.totalCapped },
        baselineIlike: { p95: round(p95(baseline)), runs: baseline.map((b) => round(b)) },
      },
      checks,
    });
  } finally {
    await audit.flush();
    await db.destroy();
    await owner.destroy();
    await migrator.destroy();
    await database.drop();
  }
}
