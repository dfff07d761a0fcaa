import { sendJobIn } from '../../db/jobQueue';
import type { Trx } from '../../db/knex';
import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { holdBroadcastRows, releaseBroadcastRows, withdrawBroadcastRows } from '../outbox';
import { templateHeaderMedia, type HeaderMedia } from '../conversations';
import { findOwnUpload } from '../media';
import { findSegment, type SegmentRow } from '../segments';
import { templateVariables } from '../templates/variables';
import { checkMapping, renderFor } from './mapping';
import { cancelPending, cancelQueued, findBroadcast, insertBroadcast, setBroadcastStatus, type BroadcastRow, type BroadcastStatus } from './repo';
import type { CreateBroadcastInput, DraftInput } from './schema';
import { markMessagesCancelled } from './sendRepo';
import { findBroadcastTemplate, type BroadcastTemplate } from './templateRepo';

/** The pg-boss queue of the job that starts and feeds a broadcast (server/jobs/broadcastRun.ts). */
export const BROADCAST_JOB = 'broadcast-run';

export type Draft = { template: BroadcastTemplate; segment: SegmentRow; channelIds: string[]; marketing: boolean; headerMedia: HeaderMedia | null };

const field = (path: string, message: string) => errors.validation(message, { fields: [{ path, message }] });

/**
 * Loads and checks what a draft names: an approved template of the numbers' WABA, a saved
 * segment, active numbers, a mapping that fills every variable of the template, and the file of
 * a media header: the user's own upload, of a type the header takes (as in the inbox).
 */
export async function loadDraft(s: Services, userId: string, input: DraftInput): Promise<Draft> {
  const segment = await findSegment(s.db, input.segmentId);
  if (!segment) {
    throw field('body.segmentId', 'There is no such segment.');
  }
  const channels = await Promise.all(input.channelIds.map((id) => s.channels.get(id)));
  channels.forEach((c, i) => {
    if (!c || c.status !== 'active') {
      throw field(`body.channelIds.${i}`, 'This number is not active.');
    }
  });
  const template = await findBroadcastTemplate(s.db, input.templateId);
  const wabas = new Set(channels.map((c) => c!.wabaId));
  if (!template || template.status !== 'APPROVED' || !wabas.has(template.waba_id) || wabas.size > 1) {
    // A template belongs to one WABA: every chosen number must be of that WABA to send it.
    throw field('body.templateId', wabas.size > 1 ? 'The numbers belong to different WhatsApp Business Accounts.' : 'This template is not approved for these numbers.');
  }
  checkMapping(template.components, input.mapping);
  const headerMedia = await templateHeaderMedia(templateVariables(template.components), input, (id) => findOwnUpload(s.db, id, userId));
  return { template, segment, channelIds: input.channelIds, marketing: (template.category ?? '').toUpperCase() === 'MARKETING', headerMedia };
}

/** Refuses a broadcast whose fixed texts (template, fixed values, fallbacks) the compliance lexicon blocks. */
async function screenDraft(s: Services, trx: Trx, draft: Draft, input: DraftInput): Promise<void> {
  const fixed = { waId: '', name: null, country: null, language: null, attributes: {} };
  const { rendered } = renderFor(draft.template.components, input.mapping, fixed, { headerMedia: draft.headerMedia });
  const texts = [rendered.header, rendered.body, rendered.footer, ...input.mapping.map((m) => m.fallback)];
  const screened = await s.lexicon.screen(trx, texts);
  if (screened.verdict === 'block') {
    const terms = [...new Set(screened.matches.filter((m) => m.action === 'block').map((m) => m.term))];
    throw errors.lexiconBlocked(terms, 'body.mapping');
  }
}

/**
 * Creates a broadcast, now or scheduled, and enqueues the job that starts it at its time (in the
 * same transaction: no broadcast without its job). The audience is materialised when it starts.
 */
export async function createBroadcast(s: Services, actor: Actor & { id: string }, input: CreateBroadcastInput): Promise<BroadcastRow> {
  const draft = await loadDraft(s, actor.id, input);
  const now = s.clock();
  const at = input.scheduledAt ? new Date(input.scheduledAt) : null;
  const later = at !== null && at.getTime() > now.getTime();
  return s.db.transaction(async (trx) => {
    await screenDraft(s, trx, draft, input);
    const id = newId();
    await insertBroadcast(trx, {
      id, name: input.name, template_id: draft.template.id, segment_id: draft.segment.id, channel_ids: draft.channelIds, mapping: input.mapping, header_media_id: draft.headerMedia?.id ?? null,
      status: later ? 'scheduled' : 'running', scheduled_at: at, created_by: actor.id,
    });
    await sendJobIn(trx, BROADCAST_JOB, { broadcastId: id }, later ? { startAfter: at } : {});
    await s.audit.appendIn(trx, actor, [{
      action: 'broadcast.created', subjectType: 'Broadcast', subjectId: id,
      details: { name: input.name, templateId: draft.template.id, segmentId: draft.segment.id, channelIds: draft.channelIds, scheduledAt: later ? at!.toISOString() : null },
    }]);
    return (await findBroadcast(trx, id))!;
  });
}

/** How soon after a pause or cancel the job looks for rows a lane put back in the queue meanwhile. */
const SETTLE_AFTER_MS = 2_000;

/** Withdraws a cancelled broadcast's queued messages (its recipients count as cancelled); how many. */
export async function withdrawQueued(trx: Trx, broadcastId: string): Promise<number> {
  const withdrawn = await withdrawBroadcastRows(trx, broadcastId);
  await markMessagesCancelled(trx, withdrawn);
  await cancelQueued(trx, broadcastId, withdrawn.map((w) => w.id));
  return withdrawn.length;
}

const MOVES: Record<'pause' | 'resume' | 'cancel', { from: BroadcastStatus[]; to: BroadcastStatus; action: string }> = {
  pause: { from: ['running', 'scheduled'], to: 'paused', action: 'broadcast.paused' },
  resume: { from: ['paused'], to: 'running', action: 'broadcast.resumed' },
  cancel: { from: ['running', 'scheduled', 'paused'], to: 'cancelled', action: 'broadcast.cancelled' },
};

/**
 * Pauses (queued messages are held in the outbox, nothing more is enqueued), resumes (they are
 * released and the job goes on) or cancels (pending recipients and queued messages are withdrawn;
 * the few being sent at that moment finish) a broadcast; audited.
 */
export async function moveBroadcast(s: Services, actor: Actor, id: string, move: keyof typeof MOVES): Promise<BroadcastRow> {
  const { from, to, action } = MOVES[move];
  const woken: string[] = [];
  const row = await s.db.transaction(async (trx) => {
    const b = await findBroadcast(trx, id, true);
    if (!b) {
      throw errors.notFound('Broadcast');
    }
    if (!from.includes(b.status)) {
      throw errors.conflict(`A ${b.status} broadcast cannot be ${move === 'cancel' ? 'cancelled' : `${move}d`}.`, { status: b.status });
    }
    const details: Record<string, unknown> = { name: b.name, from: b.status };
    if (move === 'pause') {
      details.held = await holdBroadcastRows(trx, id);
    } else if (move === 'resume') {
      woken.push(...(await releaseBroadcastRows(trx, id)));
      // A broadcast paused before its time is due keeps its schedule; the job picks it up.
      await sendJobIn(trx, BROADCAST_JOB, { broadcastId: id }, {});
    } else {
      details.withdrawn = await withdrawQueued(trx, id);
      details.notEnqueued = await cancelPending(trx, id);
    }
    if (move !== 'resume') {
      // Rows a lane had in hand may come back to the queue after this commits: the job settles them.
      await sendJobIn(trx, BROADCAST_JOB, { broadcastId: id }, { startAfter: new Date(Date.now() + SETTLE_AFTER_MS) });
    }
    const resumedBeforeStart = move === 'resume' && b.started_at === null && b.scheduled_at !== null && b.scheduled_at.getTime() > Date.now();
    await setBroadcastStatus(trx, id, resumedBeforeStart ? 'scheduled' : to, { finished: to === 'cancelled' });
    await s.audit.appendIn(trx, actor, [{ action, subjectType: 'Broadcast', subjectId: id, details }]);
    return (await findBroadcast(trx, id))!;
  });
  woken.forEach((channelId) => s.onOutboxQueued(channelId));
  return row;
}
