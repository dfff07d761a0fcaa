/**
 * The checking thread of an import (started by checking.ts): reads the file, checks its rows and
 * posts them in batches, one more each time the server asks for it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkFile, NEXT, type CheckedBatch, type ThreadInput, type ThreadMessage } from './checking';
import type { RowContext } from './rowCheck';

const port = parentPort!;
const input = workerData as ThreadInput;
// The first batch goes at once; each later one waits for the server's NEXT.
let credits = 1;
let resume: (() => void) | null = null;
port.on('message', (message: unknown) => {
  if (message === NEXT) {
    credits += 1;
    resume?.();
    resume = null;
  }
});
const post = (message: ThreadMessage) => port.postMessage(message);

async function send(batch: CheckedBatch): Promise<void> {
  while (credits === 0) {
    await new Promise<void>((resolve) => {
      resume = resolve;
    });
  }
  credits -= 1;
  post({ type: 'batch', batch });
}

async function main(): Promise<void> {
  const ctx: RowContext = { ...input.ctx, newLabels: new Map() };
  try {
    await checkFile({ dataDir: input.dataDir }, input.importId, ctx, input.batchRows, send);
    post({ type: 'done', newLabels: [...ctx.newLabels.entries()] });
  } catch (err) {
    const e = err as { message?: string; code?: unknown };
    post({ type: 'failed', message: e.message ?? String(err), code: typeof e.code === 'string' ? e.code : undefined });
  }
  // The server ends the thread once it has read the last message.
}

void main();
