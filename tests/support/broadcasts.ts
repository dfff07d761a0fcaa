// Fixtures that broadcast tests share: contacts written in bulk, a label to make a segment of
// them, an approved template, and waiting for a broadcast's progress.
import type { Db } from '../../server/db/knex';
import { newId } from '../../server/lib/ids';
import type { ApiClient } from './client';
import { eventually } from './eventually';

export type ContactSeed = { waId: string; name?: string | null; country?: string | null; language?: string | null; optState?: 'in' | 'out' | 'unknown'; attributes?: Record<string, unknown> };

/** Writes contacts straight to the table (in batches), all with a new label; returns the label id. */
export async function seedContacts(db: Db, contacts: ContactSeed[]): Promise<{ labelId: string; ids: string[] }> {
  const labelId = newId();
  await db('labels').insert({ id: labelId, name: `audience ${labelId}` });
  const rows = contacts.map((c) => ({
    id: newId(), wa_id: c.waId, profile_name: c.name ?? null, country: c.country ?? null, language: c.language ?? null,
    opt_state: c.optState ?? 'in', attributes: JSON.stringify(c.attributes ?? {}), label_ids: [labelId],
  }));
  for (let i = 0; i < rows.length; i += 1000) {
    await db('contacts').insert(rows.slice(i, i + 1000));
  }
  return { labelId, ids: rows.map((r) => r.id) };
}

/** A saved segment of the contacts carrying a label. */
export async function segmentOf(admin: ApiClient, labelId: string): Promise<string> {
  const res = await admin.post('/api/v1/segments', { name: `segment ${labelId}`, filter: { labels: { any: [labelId] } } });
  if (res.status !== 201) {
    throw new Error(`segment: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body.segment.id as string;
}

/** Submits a template through the panel and waits for the sandbox to approve it; returns its id. */
export async function approvedTemplate(admin: ApiClient, channelId: string, body: Record<string, unknown>): Promise<string> {
  const created = await admin.post('/api/v1/templates', { channelId, language: 'en_US', ...body });
  if (created.status !== 201) {
    throw new Error(`template: ${created.status} ${JSON.stringify(created.body)}`);
  }
  return eventually(`${String(body.name)} approved`, async () => {
    const items = (await admin.get(`/api/v1/templates?channelId=${channelId}`)).body.items as Array<{ id: string; name: string; status: string; bodyText: string | null }>;
    return items.find((t) => t.name === body.name && t.status === 'APPROVED' && t.bodyText)?.id;
  }, 15_000);
}

export type Progress = {
  total: number; pending: number; queued: number; sent: number; delivered: number; read: number; failed: number; cancelled: number;
  failedByCode: Array<{ code: string; count: number }>; excluded: { opted_out: number; no_marketing_opt_in: number; restricted: number };
};

/** Polls a broadcast until `done` holds for it. */
export async function broadcastWhen(admin: ApiClient, id: string, what: string, done: (b: { status: string; progress: Progress }) => boolean, timeoutMs = 30_000) {
  return eventually(what, async () => {
    const res = await admin.get(`/api/v1/broadcasts/${id}`);
    return res.status === 200 && done(res.body.broadcast) ? (res.body.broadcast as { status: string; progress: Progress }) : undefined;
  }, timeoutMs);
}
