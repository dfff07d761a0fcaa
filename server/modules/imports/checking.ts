/**
 * Reading and checking an import's file, in a thread of its own (checkThread.ts) whose heap is
 * capped. Parsing and checking a large file makes a great deal of short-lived garbage; in the
 * server's own heap V8 let it pile up to well over 100 MB before collecting it (a 1,000,000-row
 * import took `npm start`'s process past 300 MB, with 41 MB of it live). In a capped heap it is
 * collected early, and the server's heap only sees the checked batches it writes.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { readRecords, shown, type DataDir } from './files';
import type { RejectedRow, StagedRow } from './repo';
import { checkRow, type RowContext } from './rowCheck';

// The original line kept in the error report, cut so that one huge row cannot bloat it.
const LINE_MAX = 2000;
// The checking thread's heap: it holds one batch being built and the phone-number metadata.
const THREAD_RESOURCE_LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 };

type Batch = Array<{ row: number; raw: string; cells: string[] }>;
export type CheckedBatch = { rows: number; accepted: Array<{ row: number; raw: string; contact: StagedRow['contact'] }>; rejects: RejectedRow[] };

/** What the thread is started with: the file and what the checks need to know of the base. */
export type ThreadInput = { dataDir: string; importId: string; ctx: Omit<RowContext, 'newLabels'>; batchRows: number };
/** Thread -> server. */
export type ThreadMessage =
  | { type: 'batch'; batch: CheckedBatch }
  | { type: 'done'; newLabels: Array<[string, { id: string; name: string }]> }
  | { type: 'failed'; message: string; code?: string };
/** Server -> thread: one more batch may be sent. */
export const NEXT = 'next';

export const lineOf = (raw: string) => shown(raw).slice(0, LINE_MAX);

/** Checks a batch's rows (CPU only): what each would stage, or why it is rejected (a repeat within the batch included). */
function checkBatch(ctx: RowContext, batch: Batch): CheckedBatch {
  const rejects: RejectedRow[] = [];
  const accepted: CheckedBatch['accepted'] = [];
  const firstInBatch = new Map<string, number>();
  for (const rec of batch) {
    const checked = checkRow(rec.cells, ctx);
    if (!checked.ok) {
      rejects.push({ row_no: rec.row, reason: checked.reason, detail: checked.detail, line: lineOf(rec.raw) });
      continue;
    }
    const first = firstInBatch.get(checked.contact.wa_id);
    if (first !== undefined) {
      rejects.push({ row_no: rec.row, reason: 'duplicate_in_file', detail: `row ${first}`, line: lineOf(rec.raw) });
      continue;
    }
    firstInBatch.set(checked.contact.wa_id, rec.row);
    accepted.push({ row: rec.row, raw: rec.raw, contact: checked.contact });
  }
  return { rows: batch.length, accepted, rejects };
}

/** The file's checked batches in file order (the header row left out); `send` may wait before the next batch is read. */
export async function checkFile(config: DataDir, importId: string, ctx: RowContext, batchRows: number, send: (batch: CheckedBatch) => Promise<void>): Promise<void> {
  let batch: Batch = [];
  for await (const rec of readRecords(config, importId)) {
    if (rec.row === 1) {
      continue;
    }
    batch.push(rec);
    if (batch.length >= batchRows) {
      await send(checkBatch(ctx, batch));
      batch = [];
    }
  }
  await send(checkBatch(ctx, batch));
}

function startThread(input: ThreadInput): Worker {
  const options = { workerData: input, resourceLimits: THREAD_RESOURCE_LIMITS };
  const entry = path.join(__dirname, `checkThread${path.extname(__filename)}`);
  if (entry.endsWith('.ts')) {
    // Run from source (tests, benches): the thread loads the same TypeScript loader first.
    const loader = require.resolve('tsx/cjs');
    return new Worker(`require(${JSON.stringify(loader)}); require(${JSON.stringify(entry)});`, { ...options, eval: true });
  }
  return new Worker(entry, options);
}

/**
 * The file's checked batches, read and checked in the checking thread. While one batch is
 * written, the thread reads the next (at most one waits). Labels the run would create are
 * added to `ctx.newLabels` at the end. A malformed file fails with the parser's error code.
 */
export async function* checkedBatches(config: DataDir, importId: string, ctx: RowContext, batchRows: number): AsyncGenerator<CheckedBatch> {
  const thread = startThread({ dataDir: config.dataDir, importId, ctx: { options: ctx.options, headerLength: ctx.headerLength, labels: ctx.labels, attributes: ctx.attributes }, batchRows });
  const inbox: ThreadMessage[] = [];
  let failure: Error | null = null;
  let exited = false;
  let wake: (() => void) | null = null;
  const poke = () => {
    wake?.();
    wake = null;
  };
  thread.on('message', (message: ThreadMessage) => {
    inbox.push(message);
    poke();
  });
  thread.on('error', (err) => {
    failure = err;
    poke();
  });
  thread.on('exit', () => {
    exited = true;
    poke();
  });
  try {
    for (;;) {
      const message = inbox.shift();
      if (!message) {
        if (failure) {
          throw failure;
        }
        if (exited) {
          throw new Error('the checking thread ended before the end of the file');
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      if (message.type === 'batch') {
        thread.postMessage(NEXT);
        yield message.batch;
      } else if (message.type === 'done') {
        for (const [key, label] of message.newLabels) {
          ctx.newLabels.set(key, label);
        }
        return;
      } else {
        throw Object.assign(new Error(message.message), { code: message.code });
      }
    }
  } finally {
    await thread.terminate();
  }
}
