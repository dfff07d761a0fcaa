import { sendJobIn } from '../../db/jobQueue';
import type { Trx } from '../../db/knex';
import { systemActor } from '../../lib/actor';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { templateMessage } from '../../whatsapp/messages';
import { templateHeaderMedia, type HeaderMedia } from '../conversations';
import { applyStatus, takePendingStatuses } from '../inbox';
import { findMedia } from '../media';
import { enqueueBroadcastRows, holdBroadcastRows, type BroadcastOutboxRow } from '../outbox';
import { findSegment } from '../segments';
import { templateVariables } from '../templates/variables';
import { BROADCAST_JOB, withdrawQueued } from './commands';
import { renderFor, textParameters } from './mapping';
import {
  allHandedOver, broadcastsToRun, excludeRecipients, findBroadcast, hasRecipients, markQueued, materialiseAudience, nextPending, broadcastsToSettle, hasRowsInHand, setBroadcastStatus, takeRunTurn,
  type BroadcastRow, type PendingRecipient,
} from './repo';
import { adoptWamid, conversationsFor, insertBroadcastMessages, orphanedSends, strandedWamids, type BroadcastMessage } from './sendRepo';
import { findBroadcastTemplate, type BroadcastTemplate } from './templateRepo';

/** Recipients enqueued per transaction: big enough to keep a fast lane fed, small enough to keep locks short. */
const CHUNK = 500;
/** How often a running broadcast looks again for its end (and for sends to reconcile) once all is enqueued. */
const FOLLOW_UP_MS = 3_000;
/**
 * A send still 'sending' this long after its claim, with a status webhook naming its recipient,
 * was accepted by Meta but its process died before recording it: the webhook is the proof.
 * Far longer than a send takes (the Graph client gives up after 15 s).
 */
const ORPHAN_AFTER_S = 30;
const WINDOW_MS = 24 * 3600_000;
/** A running broadcast whose job has not run for this long lost its chain of follow-ups (a dead worker): the tick restarts it. */
const QUIET_S = 20;

/**
 * Starts a due broadcast (materialising its audience once), then enqueues its pending recipients
 * chunk by chunk. Safe to run twice or after a crash: each chunk locks the broadcast's row and
 * takes only pending recipients, and marks them queued in the transaction that queues them.
 */
export async function runBroadcast(s: Services, broadcastId: string): Promise<'done' | 'idle' | 'running'> {
  const current = await findBroadcast(s.db, broadcastId);
  if (current?.status === 'paused' || current?.status === 'cancelled') {
    await settle(s, broadcastId);
    return 'idle';
  }
  const started = await s.db.transaction((trx) => start(s, trx, broadcastId));
  if (!started) {
    return 'idle';
  }
  const template = (await findBroadcastTemplate(s.db, started.template_id))!;
  // The header's file, checked when the broadcast was created, as the sender will send it.
  const headerMedia = started.header_media_id
    ? await templateHeaderMedia(templateVariables(template.components), { headerMediaId: started.header_media_id }, (id) => findMedia(s.db, id))
    : null;
  for (;;) {
    const outcome = await s.db.transaction((trx) => enqueueChunk(s, trx, broadcastId, { template, headerMedia }));
    if (outcome === 'stopped') {
      return 'idle';
    }
    outcome.forEach((channelId) => s.onOutboxQueued(channelId));
    if (outcome.length === 0) {
      break;
    }
  }
  await reconcileOrphans(s);
  if (await finishIfDone(s, broadcastId)) {
    return 'done';
  }
  await s.db.transaction((trx) => sendJobIn(trx, BROADCAST_JOB, { broadcastId }, { startAfter: new Date(Date.now() + FOLLOW_UP_MS) }));
  return 'running';
}

/** Moves a due scheduled broadcast to running and materialises the audience of a running one that has none yet. */
async function start(s: Services, trx: Trx, broadcastId: string): Promise<BroadcastRow | null> {
  const b = await findBroadcast(trx, broadcastId, true);
  if (!b) {
    return null;
  }
  const due = b.status === 'scheduled' && (b.scheduled_at === null || b.scheduled_at.getTime() <= s.clock().getTime());
  if ((b.status !== 'running' && !due) || !(await takeRunTurn(trx, broadcastId, FOLLOW_UP_MS / 2000))) {
    return null;
  }
  if (b.started_at !== null && (await hasRecipients(trx, broadcastId))) {
    return b;
  }
  const segment = await findSegment(trx, b.segment_id);
  const template = await findBroadcastTemplate(trx, b.template_id);
  const marketing = (template?.category ?? '').toUpperCase() === 'MARKETING';
  const added = segment ? await materialiseAudience(trx, broadcastId, segment.filter, s.clock(), { channelIds: b.channel_ids, marketing }) : 0;
  await setBroadcastStatus(trx, broadcastId, 'running', { started: true });
  await s.audit.appendIn(trx, systemActor, [{ action: 'broadcast.started', subjectType: 'Broadcast', subjectId: broadcastId, details: { name: b.name, recipients: added } }]);
  return b;
}

/**
 * One chunk in one transaction; the numbers to wake, or 'stopped' when the broadcast is no longer
 * running. Each recipient's message is screened by the compliance lexicon as composed: the
 * template and fixed values were screened when the broadcast was saved, but a contact's own
 * values (name, attributes) are known only here. A blocked one is left out (excluded,
 * lexicon_blocked; one audit event per chunk, naming the terms); a flagged one is sent and flagged.
 */
async function enqueueChunk(s: Services, trx: Trx, broadcastId: string, message: Message): Promise<string[] | 'stopped'> {
  const { template } = message;
  const b = await findBroadcast(trx, broadcastId, true);
  if (!b || b.status !== 'running') {
    return 'stopped';
  }
  const pending = await nextPending(trx, broadcastId, CHUNK);
  if (pending.length === 0) {
    return [];
  }
  const now = new Date();
  const all = pending.map((r) => compose(b, message, r));
  const verdicts = await s.lexicon.screenEach(trx, all.map((c) => [c.text, ...c.parameters]));
  const screenedAll = all.map((c, i) => ({ c, screened: verdicts[i]! }));
  const blocked = screenedAll.filter((x) => x.screened.verdict === 'block');
  if (blocked.length > 0) {
    await excludeRecipients(trx, blocked.map((x) => x.c.r.id), 'lexicon_blocked');
    const terms = new Map(blocked.flatMap((x) => x.screened.matches.filter((m) => m.action === 'block').map((m) => [m.termId, m.term] as const)));
    await s.audit.appendIn(trx, systemActor, [{
      action: 'broadcast.recipients_blocked', subjectType: 'Broadcast', subjectId: broadcastId,
      details: { name: b.name, recipients: blocked.length, termIds: [...terms.keys()], terms: [...terms.values()] },
    }]);
  }
  const kept = screenedAll.filter((x) => x.screened.verdict !== 'block');
  const composed = kept.map((x) => x.c);
  if (composed.length === 0) {
    // The whole chunk left out: on to the next (an empty answer would mean the end).
    return enqueueChunk(s, trx, broadcastId, message);
  }
  const conversations = await conversationsFor(trx, composed.map((c) => ({ id: newId(), contact_id: c.r.contact_id, channel_id: c.r.channel_id, preview: (c.text ?? `[${template.name}]`).slice(0, 120) })));
  const messages: BroadcastMessage[] = [];
  const outbox: BroadcastOutboxRow[] = [];
  const queued: Array<{ id: string; outbox_id: string; message_id: string; message_created_at: Date }> = [];
  for (const c of composed) {
    const messageId = newId();
    const outboxId = newId();
    messages.push({
      id: messageId, created_at: now, conversation_id: conversations.get(`${c.r.contact_id}:${c.r.channel_id}`)!, channel_id: c.r.channel_id, contact_id: c.r.contact_id,
      text: c.text, content: { name: template.name, language: template.language, parameters: c.parameters, broadcastId, headerMediaId: message.headerMedia?.id ?? null },
    });
    outbox.push({
      id: outboxId, message_id: messageId, message_created_at: now, channel_id: c.r.channel_id, to_wa_id: c.r.wa_id, payload: JSON.stringify(c.payload),
      window_closes_at: c.r.last_inbound_at ? new Date(c.r.last_inbound_at.getTime() + WINDOW_MS) : null,
    });
    queued.push({ id: c.r.id, outbox_id: outboxId, message_id: messageId, message_created_at: now });
  }
  await insertBroadcastMessages(trx, messages);
  await enqueueBroadcastRows(trx, broadcastId, outbox, false);
  await markQueued(trx, queued);
  for (const [i, x] of kept.entries()) {
    await s.lexicon.recordFlags(trx, systemActor, x.screened, { id: messages[i]!.id, createdAt: now, conversationId: messages[i]!.conversation_id });
  }
  return [...new Set(outbox.map((o) => o.channel_id))];
}

/** What every recipient of a broadcast gets: its template, and the file of a media header. */
type Message = { template: BroadcastTemplate; headerMedia: HeaderMedia | null };

/** One recipient's Graph API payload and texts, from the same renderer as the preview. */
function compose(b: BroadcastRow, { template, headerMedia }: Message, r: PendingRecipient) {
  const { components, rendered } = renderFor(template.components, b.mapping, { waId: r.wa_id, name: r.profile_name, country: r.country, language: r.language, attributes: r.attributes ?? {} }, { headerMedia });
  // The sender tags every send with its outbox row (biz_opaque_callback_data), which Meta echoes
  // in each status: it names the recipient even when a crash lost our record of the send
  // (see reconcileOrphans).
  const payload = templateMessage(r.wa_id, template.name, template.language, components);
  const parameters = textParameters(components);
  return { r, payload, text: rendered.body, parameters };
}

/**
 * Sends Meta accepted while their process crashed before recording it: a status webhook naming
 * the recipient proves the acceptance, so the message takes that wamid and its statuses, and is
 * never sent again. (Sends with no such webhook stay as the sender's crash reconciliation left
 * them: failed as 'interrupted', not re-sent blindly.) Statuses stranded in the parking by a
 * crash between a send's commit and its second look are applied too.
 */
export async function reconcileOrphans(s: Services): Promise<void> {
  for (const orphan of await orphanedSends(s.db, ORPHAN_AFTER_S)) {
    await s.db.transaction(async (trx) => {
      await adoptWamid(trx, orphan);
      await applyParked(trx, orphan.wamid);
    });
  }
  for (const wamid of await strandedWamids(s.db)) {
    await s.db.transaction((trx) => applyParked(trx, wamid));
  }
}

async function applyParked(trx: Trx, wamid: string): Promise<void> {
  for (const status of await takePendingStatuses(trx, wamid)) {
    await applyStatus(trx, status);
  }
}

/**
 * Keeps a paused broadcast's queued rows held and a cancelled one's withdrawn: a row a lane had
 * in hand at the pause or cancel may have come back to the queue (a retry, a tier hold) after it
 * committed. Looks again while any of its rows is still being sent.
 */
async function settle(s: Services, broadcastId: string): Promise<void> {
  await s.db.transaction(async (trx) => {
    const b = await findBroadcast(trx, broadcastId, true);
    if (b?.status === 'paused') {
      await holdBroadcastRows(trx, broadcastId);
    } else if (b?.status === 'cancelled') {
      await withdrawQueued(trx, broadcastId);
    } else {
      return;
    }
    if (await hasRowsInHand(trx, broadcastId)) {
      await sendJobIn(trx, BROADCAST_JOB, { broadcastId }, { startAfter: new Date(Date.now() + FOLLOW_UP_MS) });
    }
  });
}

/** Marks a running broadcast completed once every recipient is past the outbox. */
async function finishIfDone(s: Services, broadcastId: string): Promise<boolean> {
  if (!(await allHandedOver(s.db, broadcastId))) {
    return false;
  }
  // The last sends may have been settled as interrupted since the pass above: look once more.
  await reconcileOrphans(s);
  return s.db.transaction(async (trx) => {
    const b = await findBroadcast(trx, broadcastId, true);
    if (!b || b.status !== 'running' || !(await allHandedOver(trx, broadcastId))) {
      return b?.status !== 'running';
    }
    await setBroadcastStatus(trx, broadcastId, 'completed', { finished: true });
    await s.audit.appendIn(trx, systemActor, [{ action: 'broadcast.completed', subjectType: 'Broadcast', subjectId: broadcastId, details: { name: b.name } }]);
    return true;
  });
}

/**
 * The scheduler's tick (every minute, and when a worker starts): a job for every broadcast due
 * to start, or running with no run lately (its chain of follow-ups died with its worker), and the hold re-applied on paused broadcasts' rows that a retry put back in line.
 */
export async function broadcastTick(s: Services): Promise<void> {
  await reconcileOrphans(s);
  for (const id of await broadcastsToRun(s.db, QUIET_S)) {
    await s.db.transaction((trx) => sendJobIn(trx, BROADCAST_JOB, { broadcastId: id }));
  }
  for (const id of await broadcastsToSettle(s.db)) {
    await settle(s, id);
  }
}
