/**
 * The archive benches: `npm run bench archive`. Each part is one function in PARTS answering
 * one BenchResult: retentionDrop, searchPart and gdprExport.
 *
 * retentionDropMs: "retention removes one expired month in under 2 s when the partition can
 * be dropped". A fresh database (migrated by the owner role, run as the runtime role) gets a
 * month of messages two years old; the timed value is one retention run, which drops it
 * through the owner's function. The baseline is the same run over an equal month in which a
 * legal hold covers one customer's first day (their messages of that day), so it cannot be
 * dropped and goes row by row in batches.
 *
 * searchP95Ms (archiveSearch.ts): "an e-discovery search answers in under 300 ms at p95" over
 * ARCHIVE_MESSAGES (5,000,000) messages seeded set-based over 24 months, 10 numbers and 20
 * agents with an everyday vocabulary (the seeding time is printed and reported). The timed value
 * is the search command itself (one keyword, a three-month range, one agent; first page with
 * highlights and the capped count; audited). The baseline is the same filters with the keyword
 * matched by `unaccent(text) ILIKE '%word%'`, i.e. without the full-text index, on fewer runs.
 *
 * gdprExportMs: "a GDPR access export for a subject with 10,000 messages completes in under
 * 5 s". One customer with 10,000 messages (BENCH_GDPR_MESSAGES) and 20 stored files; the timed
 * value is the whole access export as the API runs it (read contact, notes and messages, hash the
 * files, write the zip with JSON, transcript and manifest into the media store, complete the
 * request, audit). The baseline is the plain SELECT of the same messages serialised to JSON: the
 * least any export must do, so the ratio says what the archive itself costs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createDb, type Db } from '../../server/db/knex';
import { migrateLatest } from '../../server/db/migrate';
import { grantRuntimeRole } from '../../server/db/roles';
import { systemActor } from '../../server/lib/actor';
import { newId } from '../../server/lib/ids';
import { AuditLog } from '../../server/modules/audit/auditLog';
import { maintainMessagePartitions } from '../../server/modules/inbox/partitions';
import { DirectoryMediaStore } from '../../server/modules/media/store';
import { runRetention } from '../../server/modules/retention';
import { searchPart } from './archiveSearch';
import { createRequest, exportAccess } from '../../server/modules/gdpr/commands';
import { contactMessages } from '../../server/modules/gdpr/repo';
import { unzip } from '../support/gdpr';
import { createHash } from 'node:crypto';
import { benchLog, buildResult, createBenchDatabase, envNumber, progress, round, type Bench, type BenchResult } from './support';

// The goal, absolute: one expired, droppable month in under 2 s.
const TARGET_DROP_MS = 2000;
const DAY_MS = 86_400_000;

/** A runtime-role connection to a freshly migrated database, and what a retention run needs. */
type ArchiveFixture = { db: Db; owner: Db; run: () => Promise<{ ms: number; counts: Awaited<ReturnType<typeof runRetention>>['counts'] }>; close: () => Promise<void> };

async function archiveFixture(): Promise<ArchiveFixture> {
  const database = await createBenchDatabase();
  const owner = createDb(database.appUrls.DATABASE_OWNER_URL, 2);
  progress('migrating a fresh database for the archive bench');
  const runtimeRole = decodeURIComponent(new URL(database.appUrls.DATABASE_URL).username);
  await migrateLatest(owner, () => grantRuntimeRole(owner, runtimeRole));
  const db = createDb(database.appUrls.DATABASE_URL, 10);
  const mediaDir = await mkdtemp(path.join(tmpdir(), 'sb-archive-bench-'));
  const deps = {
    db, audit: new AuditLog(db, benchLog), media: new DirectoryMediaStore(mediaDir), masterKey: randomBytes(32), clock: () => new Date(), log: benchLog,
  };
  return {
    db,
    owner,
    run: async () => {
      const started = performance.now();
      const result = await runRetention(deps, systemActor, 'request');
      return { ms: performance.now() - started, counts: result.counts };
    },
    close: async () => {
      await deps.audit.flush();
      await db.destroy();
      await owner.destroy();
      await database.drop();
      await rm(mediaDir, { recursive: true, force: true });
    },
  };
}

/** `rows` messages spread over the month starting at `monthStart`, in their own partition; returns one of their ids. */
async function seedMonth(db: Db, monthStart: Date, rows: number): Promise<{ contactId: string; messageId: string }> {
  const channelId = newId();
  const contactId = newId();
  const conversationId = newId();
  const tag = randomBytes(4).toString('hex');
  await db('channels').insert({ id: channelId, name: `Bench ${tag}`, phone_number_id: `bench-${tag}`, waba_id: `waba-${tag}`, display_number: '+1 555 0100', access_token_enc: 'unused', app_secret_enc: 'unused', verify_token_enc: 'unused' });
  await db('contacts').insert({ id: contactId, wa_id: `1555${parseInt(tag, 16) % 10_000_000}` });
  await db('conversations').insert({ id: conversationId, contact_id: contactId, channel_id: channelId });
  // Rows land in the default partition; the partition job then gives the month its own table.
  await db.raw(
    `INSERT INTO messages (id, created_at, conversation_id, channel_id, contact_id, direction, type, text, author_type, status)
     SELECT gen_random_uuid(), CAST(? AS timestamptz) + (i * interval '25 days') / CAST(? AS int), ?, ?, ?, 'in', 'text',
            'archived message number ' || i, 'customer', 'received'
       FROM generate_series(1, CAST(? AS int)) AS i`,
    [monthStart, rows, conversationId, channelId, contactId, rows],
  );
  await maintainMessagePartitions(db, new Date());
  const one = await db('messages').where({ contact_id: contactId }).first('id');
  return { contactId, messageId: one.id as string };
}

async function retentionDrop(): Promise<BenchResult> {
  const rows = Math.round(envNumber('BENCH_ARCHIVE_MONTH_ROWS', 50_000));
  const f = await archiveFixture();
  try {
    // Messages kept a year: the two months below, two and three years back, have expired everywhere.
    await f.owner('retention_policies').where({ data_class: 'messages' }).whereNull('channel_id').update({ days: 365 });
    const now = new Date();
    const twoYears = new Date(Date.UTC(now.getUTCFullYear() - 2, now.getUTCMonth(), 1));
    const threeYears = new Date(Date.UTC(now.getUTCFullYear() - 3, now.getUTCMonth(), 1));

    progress(`seeding one expired month of ${rows} messages (droppable)`);
    await seedMonth(f.db, twoYears, rows);
    const dropped = await f.run();

    progress(`seeding an equal month with one customer's first day held (deleted in batches)`);
    const held = await seedMonth(f.db, threeYears, rows);
    await f.db('legal_holds').insert({ id: newId(), case_ref: 'BENCH', reason: 'bench', scope: JSON.stringify({ contactIds: [held.contactId], to: new Date(threeYears.getTime() + DAY_MS).toISOString() }), created_by: newId() });
    const heldCount = Number((await f.db.raw(`SELECT count(*) AS n FROM messages WHERE contact_id = ? AND created_at < ?`, [held.contactId, new Date(threeYears.getTime() + DAY_MS)])).rows[0].n);
    const batched = await f.run();
    const left = Number((await f.db('messages').count({ n: '*' }))[0]!.n);

    const checks = {
      monthDropped: dropped.counts.droppedPartitions.length === 1 && dropped.counts.messages.total === rows,
      heldMonthNotDropped: batched.counts.droppedPartitions.length === 0,
      heldRowsKept: left === heldCount && heldCount > 0,
      batchedRemovedTheRest: batched.counts.messages.total === rows - heldCount,
    };
    return buildResult({
      name: 'archive',
      metric: 'retentionDropMs',
      value: dropped.ms,
      baseline: batched.ms,
      unit: 'milliseconds for one expired month',
      target: { of: 'value', atMost: TARGET_DROP_MS },
      details: {
        settings: { monthRows: rows },
        drop: { ms: round(dropped.ms), counts: dropped.counts },
        batches: { ms: round(batched.ms), heldRows: heldCount, removed: batched.counts.messages.total },
      },
      checks,
    });
  } finally {
    await f.close();
  }
}

// The goal, absolute: one subject's access export in under 5 s.
const TARGET_GDPR_EXPORT_MS = 5000;

async function gdprExport(): Promise<BenchResult> {
  const messages = Math.round(envNumber('BENCH_GDPR_MESSAGES', 10_000));
  const files = 20;
  const f = await archiveFixture();
  const mediaDir = await mkdtemp(path.join(tmpdir(), 'sb-gdpr-bench-'));
  const deps = { db: f.db, audit: new AuditLog(f.db, benchLog), media: new DirectoryMediaStore(mediaDir), masterKey: randomBytes(32) };
  try {
    progress(`seeding one customer with ${messages} messages and ${files} files`);
    const { contactId } = await seedMonth(f.db, new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1)), messages);
    const withFiles = await f.db('messages').where({ contact_id: contactId }).orderBy('created_at').limit(files).select('id', 'created_at', 'channel_id');
    for (const m of withFiles) {
      const id = newId();
      const bytes = randomBytes(64 * 1024);
      await deps.media.put(`inbound/${id}.bin`, bytes);
      await f.db('media').insert({ id, channel_id: m.channel_id, direction: 'in', mime_type: 'application/pdf', size: bytes.length, storage_key: `inbound/${id}.bin` });
      await f.db('messages').where({ id: m.id, created_at: m.created_at }).update({ media_id: id, type: 'document' });
    }
    const request = await createRequest(deps, systemActor, { type: 'access', contactId });

    const selectStarted = performance.now();
    const json = JSON.stringify(await contactMessages(f.db, contactId));
    const selectMs = performance.now() - selectStarted;

    const started = performance.now();
    const done = await exportAccess(deps, systemActor, request.id);
    const exportMs = performance.now() - started;

    const opened = await deps.media.open(done.archive_key!);
    const chunks: Buffer[] = [];
    for await (const chunk of opened.stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
    }
    const zip = Buffer.concat(chunks);
    const entries = await unzip(zip);
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as { files: Array<{ path: string; sha256: string }> };
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const checks = {
      everyMessageExported: (JSON.parse(entries.get('messages.json')!.toString('utf8')) as unknown[]).length === messages,
      everyFileExported: [...entries.keys()].filter((k) => k.startsWith('media/')).length === files,
      manifestMatches: manifest.files.every((e) => entries.has(e.path) && sha(entries.get(e.path)!) === e.sha256),
      archiveChecksumRecorded: sha(zip) === done.archive_sha256,
      baselineReadEverything: json.length > messages * 20,
    };
    return buildResult({
      name: 'archive',
      metric: 'gdprExportMs',
      value: exportMs,
      baseline: selectMs,
      unit: 'milliseconds for one subject\'s access export',
      target: { of: 'value', atMost: TARGET_GDPR_EXPORT_MS },
      details: { settings: { messages, files }, archiveBytes: zip.length, baselineJsonBytes: json.length },
      checks,
    });
  } finally {
    await deps.audit.flush();
    await f.close();
    await rm(mediaDir, { recursive: true, force: true });
  }
}

/** The parts of the archive bench, run in order; the search and GDPR parts join this list. */
const PARTS: Array<() => Promise<BenchResult>> = [retentionDrop, searchPart, gdprExport];

const bench: Bench = {
  name: 'archive',
  description: `The archive: retention drops an expired month in <= ${TARGET_DROP_MS} ms (retentionDropMs; baseline: the same month deleted in batches)`,
  run: async () => {
    const results: BenchResult[] = [];
    for (const part of PARTS) {
      results.push(await part());
    }
    return results;
  },
};

export default bench;
