import { z } from 'zod';
import { IMPORT_JOB, runImport } from '../modules/imports';
import type { Services } from '../services';
import type { JobDefinition } from './types';

const payload = z.object({ importId: z.uuid() });

/**
 * One contact import run (dry run or import), enqueued when a user starts it. A run that fails
 * on its data marks the import failed and ends (retrying would fail the same way); a worker that
 * dies mid-run lets the job expire and be retried, which starts the run over from the file.
 */
export const contactImport: JobDefinition<Record<string, unknown>> = {
  name: IMPORT_JOB,
  options: { retryLimit: 2, retryDelay: 30, retryBackoff: false, expireInSeconds: 2 * 3600 },
  perform: async (s: Services, data) => {
    await runImport(s, payload.parse(data).importId);
  },
};
