/**
 * The import benches: `npm run bench import`.
 *
 * importRowsPerSec: "streaming import of 1,000,000 rows in constant memory". A CSV file of
 * BENCH_IMPORT_ROWS (1,000,000) contacts (phone, name, country, labels, one choice attribute;
 * one row in 500 has a bad number, one in 1,000 repeats an earlier number) is imported by the
 * real run (server/modules/imports/runner.ts: streamed parse, per-row checks, staging in
 * batches, one applying transaction) into a freshly migrated database, as the runtime role.
 * The value is rows per second of the whole run; `peakRssMb` is this process's largest
 * resident set seen during the run (sampled every 20 ms), which must stay under 300 MB;
 * `startRssMb` is the resident set the run started from (this process holds every bench's code).
 * The baseline, in the same run, reads and checks the same file without storing anything
 * (parse + phone normalisation + label and attribute checks): the ratio says what the
 * database side costs. Checks: every valid row became exactly one contact, every bad row and
 * repeat was rejected, and memory stayed under the ceiling.
 *
 * segmentCountMs: "100,000 contacts are counted in under a second". 100,000 contacts with
 * labels, countries, attributes, opt-in states, last inbound times and conversations on two
 * numbers; five filters (each filter kind, and all at once) are counted through the segments
 * module's SQL builder. The value is the slowest filter's median of 5 counts; the baseline a
 * bare `count(*)` of the table. Check: the counts equal what the seed planted.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createDb, type Db } from '../../server/db/knex';
import { migrateLatest } from '../../server/db/migrate';
import { grantRuntimeRole } from '../../server/db/roles';
import { newId } from '../../server/lib/ids';
import { AuditLog } from '../../server/modules/audit/auditLog';
import { readRecords, uploadPath } from '../../server/modules/imports/files';
import { findImport, insertImport, queueImport } from '../../server/modules/imports/repo';
import { checkRow, type RowContext } from '../../server/modules/imports/rowCheck';
import { runImport } from '../../server/modules/imports/runner';
import type { ImportOptions } from '../../server/modules/imports/schema';
import { countSegment } from '../../server/modules/segments/repo';
import type { SegmentFilter } from '../../server/modules/segments/schema';
import { benchLog, buildResult, createBenchDatabase, envNumber, progress, round, type Bench, type BenchResult } from './support';

const RSS_CEILING_MB = 300;
const BAD_EVERY = 500;
const REPEAT_EVERY = 1000;
const HEADER = ['phone', 'name', 'country', 'labels', 'tier'];
const OPTIONS: ImportOptions = { columns: ['phone', 'name', 'country', 'labels', 'attribute:tier'], defaultCountry: 'FR', existing: 'skip', createLabels: false, labelSeparator: ';' };
const MB = 1024 * 1024;

/** A migrated database, connected as the runtime role. */
async function freshDatabase(): Promise<{ db: Db; close: () => Promise<void> }> {
  const database = await createBenchDatabase();
  const owner = createDb(database.appUrls.DATABASE_OWNER_URL, 2);
  const runtimeRole = decodeURIComponent(new URL(database.appUrls.DATABASE_URL).username);
  await migrateLatest(owner, () => grantRuntimeRole(owner, runtimeRole));
  await owner.destroy();
  const db = createDb(database.appUrls.DATABASE_URL, 5);
  return { db, close: async () => { await db.destroy(); await database.drop(); } };
}

/** Writes the file (with backpressure); returns how many rows are valid and distinct. */
async function writeFile(file: string, rows: number): Promise<number> {
  await mkdir(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  let valid = 0;
  out.write(`${HEADER.join(',')}\n`);
  for (let i = 0; i < rows; i++) {
    let phone = `+336${10_000_000 + i}`;
    if (i % BAD_EVERY === BAD_EVERY - 1) {
      phone = `12-${i}`;
    } else if (i % REPEAT_EVERY === REPEAT_EVERY - 2) {
      phone = `+336${10_000_000 + i - 7}`;
    } else {
      valid++;
    }
    const labels = i % 3 === 0 ? 'VIP;Trial' : i % 3 === 1 ? 'Trial' : '';
    if (!out.write(`${phone},Customer ${i},FR,${labels},${i % 2 === 0 ? 'gold' : 'silver'}\n`)) {
      await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
  return valid;
}

/** Runs `work` while sampling this process's resident set; returns the peak in MB. */
async function withRss<T>(work: () => Promise<T>): Promise<{ result: T; peakMb: number; startMb: number; ms: number }> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const started = performance.now();
  try {
    const result = await work();
    return { result, peakMb: Math.max(peak, process.memoryUsage.rss()) / MB, startMb: start / MB, ms: performance.now() - started };
  } finally {
    clearInterval(timer);
  }
}

async function importRows(): Promise<BenchResult> {
  const rows = Math.round(envNumber('BENCH_IMPORT_ROWS', 1_000_000));
  const { db, close } = await freshDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sb-import-bench-'));
  const deps = { db, audit: new AuditLog(db, benchLog), log: benchLog, config: { dataDir } };
  try {
    await db('labels').insert([{ id: newId(), name: 'VIP' }, { id: newId(), name: 'Trial' }]);
    await db('contact_attributes').insert({ key: 'tier', name: 'Tier', type: 'choice', options: ['gold', 'silver'] });
    const id = newId();
    progress(`writing ${rows} CSV rows`);
    const valid = await writeFile(uploadPath(deps.config, id), rows);
    const user = newId();
    await db('users').insert({ id: user, email: `bench-${user}@example.test`, name: 'Bench', password_hash: 'x' });
    await db.transaction(async (trx) => {
      await insertImport(trx, { id, filename: 'bench.csv', size_bytes: 0, header: HEADER, created_by: user });
      await queueImport(trx, id, OPTIONS, false);
    });

    progress('baseline: reading and checking the file, storing nothing');
    const baseline = await withRss(async () => {
      const ctx: RowContext = { options: OPTIONS, headerLength: HEADER.length, labels: new Map([['vip', newId()], ['trial', newId()]]), attributes: new Map([['tier', { type: 'choice', options: ['gold', 'silver'] }]]), newLabels: new Map() };
      let ok = 0;
      for await (const rec of readRecords(deps.config, id)) {
        if (rec.row > 1 && checkRow(rec.cells, ctx).ok) {
          ok++;
        }
      }
      return ok;
    });

    progress('importing');
    const run = await withRss(() => runImport(deps, id));
    const imp = (await findImport(db, id))!;
    const contacts = Number(((await db('contacts').count({ n: '*' }).first()) as { n: string | number }).n);
    const value = rows / (run.ms / 1000);
    const baselineRate = rows / (baseline.ms / 1000);
    return buildResult({
      name: 'importRowsPerSec', metric: 'CSV rows imported per second (1,000,000 rows, constant memory)', value: round(value), baseline: round(baselineRate), unit: 'rows/s',
      target: { of: 'value', atLeast: 5_000 },
      details: {
        rows, seconds: round(run.ms / 1000), peakRssMb: round(run.peakMb), startRssMb: round(run.startMb), baselinePeakRssMb: round(baseline.peakMb), baselineSeconds: round(baseline.ms / 1000),
        status: imp.status, created: imp.created_count, rejected: imp.rejected_count, contacts,
      },
      checks: {
        done: imp.status === 'done',
        everyValidRowOnce: contacts === valid && imp.created_count === valid,
        badRowsRejected: imp.rejected_count === rows - valid,
        // The baseline does not de-duplicate: it accepts the repeats too.
        baselineAgrees: baseline.result === valid + countOf(rows, (i) => i % REPEAT_EVERY === REPEAT_EVERY - 2),
        peakRssUnderCeiling: run.peakMb < RSS_CEILING_MB,
      },
    });
  } finally {
    await deps.audit.flush();
    await close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function median(times: number, fn: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await fn();
    ms.push(performance.now() - started);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
}

async function segmentCount(): Promise<BenchResult> {
  const contacts = Math.round(envNumber('BENCH_SEGMENT_CONTACTS', 100_000));
  const { db, close } = await freshDatabase();
  try {
    const labels = Array.from({ length: 5 }, () => newId());
    const channels = [newId(), newId()];
    await db('labels').insert(labels.map((id, i) => ({ id, name: `Label ${i}` })));
    await db('contact_attributes').insert([{ key: 'tier', name: 'Tier', type: 'choice', options: ['gold', 'silver'] }, { key: 'spend', name: 'Spend', type: 'number' }]);
    for (const [i, id] of channels.entries()) {
      await db('channels').insert({ id, name: `Bench ${i}`, phone_number_id: `bench-seg-${i}`, waba_id: `waba-seg-${i}`, display_number: '+1 555 0100', access_token_enc: 'unused', app_secret_enc: 'unused', verify_token_enc: 'unused' });
    }
    progress(`seeding ${contacts} contacts`);
    // Contact i: label i%5 always, label (i+1)%5 when i is even; country by i%4; tier by i%2; spend = i%1000; opt state by i%3; wrote i%60 days ago.
    await db.raw(
      `INSERT INTO contacts (id, wa_id, profile_name, country, label_ids, attributes, opt_state, last_inbound_at)
       SELECT gen_random_uuid(), (33600000000 + i)::text, 'Customer ' || i, (ARRAY['FR','BE','CA','CH'])[i % 4 + 1],
              CASE WHEN i % 2 = 0 THEN ARRAY[(?::uuid[])[i % 5 + 1], (?::uuid[])[(i + 1) % 5 + 1]] ELSE ARRAY[(?::uuid[])[i % 5 + 1]] END,
              jsonb_build_object('tier', CASE WHEN i % 2 = 0 THEN 'gold' ELSE 'silver' END, 'spend', i % 1000),
              (ARRAY['unknown','in','out'])[i % 3 + 1], now() - (i % 60) * interval '1 day' - interval '1 hour'
         FROM generate_series(0, ? - 1) AS i`,
      [labels, labels, labels, contacts],
    );
    await db.raw(
      `INSERT INTO conversations (id, contact_id, channel_id)
       SELECT gen_random_uuid(), c.id, (?::uuid[])[(substr(c.wa_id, 6)::bigint % 2) + 1] FROM contacts c WHERE substr(c.wa_id, 6)::bigint % 5 = 0`,
      [channels],
    );
    await db.raw('ANALYZE contacts');
    await db.raw('ANALYZE conversations');
    const now = new Date();
    const filters: Array<{ name: string; filter: SegmentFilter }> = [
      { name: 'labels', filter: { labels: { all: [labels[0]!], none: [labels[1]!] }, countries: ['FR', 'BE'] } },
      { name: 'attributes', filter: { attributes: [{ key: 'tier', op: 'equals', value: 'gold' }, { key: 'spend', op: 'greater', value: 500 }] } },
      { name: 'lastInbound+opt', filter: { lastInbound: { withinDays: 7 }, optStates: ['in'] } },
      { name: 'channel', filter: { channelIds: [channels[0]!] } },
      { name: 'everything', filter: { labels: { any: [labels[0]!, labels[2]!] }, countries: ['FR', 'CA'], attributes: [{ key: 'spend', op: 'less', value: 900 }], lastInbound: { withinDays: 30 }, optStates: ['in', 'unknown'], channelIds: channels } },
    ];
    const timings: Record<string, number> = {};
    const counts: Record<string, number> = {};
    for (const f of filters) {
      counts[f.name] = await countSegment(db, f.filter, now);
      timings[f.name] = round(await median(5, () => countSegment(db, f.filter, now)));
    }
    const bare = await median(5, () => db('contacts').count({ n: '*' }).first());
    const slowest = Math.max(...Object.values(timings));
    return buildResult({
      name: 'segmentCountMs', metric: 'slowest segment count over 100,000 contacts (median of 5)', value: round(slowest), baseline: round(bare), unit: 'ms',
      target: { of: 'value', atMost: 1000 },
      details: { contacts, timingsMs: timings, counts },
      checks: {
        // Labels: label 0 holds i%5=0 and (even i with (i+1)%5=0, i%5=4); label 1 holds i%5=1 and even i%5=0: "0 and not 1" = i%5=0 odd, or i%5=4 even; FR/BE = i%4 in {0,1}.
        labelsCount: counts.labels === countOf(contacts, (i) => ((i % 5 === 0 && i % 2 === 1) || (i % 5 === 4 && i % 2 === 0)) && i % 4 <= 1),
        channelCount: counts.channel === countOf(contacts, (i) => i % 5 === 0 && i % 2 === 0),
      },
    });
  } finally {
    await close();
  }
}

function countOf(n: number, pred: (i: number) => boolean): number {
  let c = 0;
  for (let i = 0; i < n; i++) {
    if (pred(i)) {
      c++;
    }
  }
  return c;
}

const bench: Bench = {
  name: 'import',
  description: 'CSV contact import (rows/s, peak RSS, against parsing alone) and segment counts over 100,000 contacts',
  run: async () => [await importRows(), await segmentCount()],
};
export default bench;
