import type { z } from 'zod';
import { errors } from '../../lib/errors';
import type { AppContext } from '../../http/context';
import { readRawBody } from '../../http/middleware/body';
import { access, type RouteTable } from '../../http/route';
import { verifyQuery } from './schema';
import { InflightBudget } from '../../lib/inflight';
import type { ChannelCredentials } from '../channels/credentials';
import type { Services } from '../../services';
import { answerSubscriptionChallenge, verifySignature } from '../../whatsapp/signature';
import { parseWebhook, ParseError } from '../../whatsapp/webhookParse';
import { InboundBatcher } from '../inbox/inboundBatcher';
import { ingestWebhook } from '../inbox/ingest';
import { costMessages } from '../costs';
import { optOutOnKeywords } from '../contacts';

// 1,000 changes in one POST, each with a message and its contact, stay well under this.
const WEBHOOK_BODY_LIMIT = 8 * 1024 * 1024;

/** Where Meta posts notifications (and checks the subscription). */
export const WEBHOOK_PATH = '/webhooks/whatsapp';

/** Meta's webhook endpoint: the subscription check and signed notifications. */
export function registerWebhookRoutes(t: RouteTable, s: Services): void {
  // Inbound messages of concurrent webhooks share statements and commits (group commit).
  const batcher = new InboundBatcher(s.db);
  t.add({
    method: 'get', path: WEBHOOK_PATH, tag: 'webhooks', summary: "Meta's subscription check (hub.challenge)",
    access: access.public(), query: verifyQuery as unknown as z.ZodType<Record<string, unknown>>,
    handler: async (ctx, { query }) => {
      const channels = await s.channels.all();
      const challenge = answerSubscriptionChallenge(query, channels.map((c) => c.verifyToken));
      ctx.type = 'text/plain';
      if (challenge === null) {
        ctx.status = 403;
        ctx.body = 'Forbidden';
        return;
      }
      ctx.body = challenge;
    },
  });
  // Meta retries a 503 later, so past this many bytes of bodies at once the endpoint sheds load
  // instead of holding every concurrent body in memory.
  const inflight = new InflightBudget(s.config.webhookInflightMaxBytes);
  t.add({
    method: 'post', path: WEBHOOK_PATH, tag: 'webhooks', summary: 'Signed WhatsApp notifications (messages, statuses, templates, quality)',
    access: access.public(), streamBody: true,
    responses: {
      200: { description: 'Stored (durable) or already known' }, 401: { description: 'Bad signature' }, 403: { description: 'Unknown number, or a WABA the signing app does not serve' },
      413: { description: 'Body over 8 MB' }, 503: { description: 'Too many webhook bytes in flight: Meta retries later' },
    },
    handler: async (ctx) => {
      const declared = Number(ctx.get('content-length') || NaN);
      const release = inflight.tryReserve(Number.isFinite(declared) && declared >= 0 ? Math.min(declared, WEBHOOK_BODY_LIMIT) : WEBHOOK_BODY_LIMIT);
      if (!release) {
        s.metrics.webhookRequests.inc({ outcome: 'busy' });
        ctx.set('Retry-After', '1');
        // The body is left unread: close the connection rather than parse it as the next request.
        ctx.set('Connection', 'close');
        throw errors.unavailable();
      }
      try {
        await receive(ctx, await readRawBody(ctx, WEBHOOK_BODY_LIMIT));
      } finally {
        release();
      }
    },
  });

  async function receive(ctx: AppContext, raw: Buffer): Promise<void> {
    const secret = verifySignature(raw, ctx.get('x-hub-signature-256') || undefined, await s.channels.appSecrets());
    if (!secret) {
      s.metrics.webhookRequests.inc({ outcome: 'bad_signature' });
      throw errors.badSignature();
    }
    let parsed;
    try {
      parsed = parseWebhook(JSON.parse(raw.toString('utf8')));
    } catch (err) {
      s.metrics.webhookRequests.inc({ outcome: 'malformed' });
      throw errors.validation(err instanceof ParseError || err instanceof SyntaxError ? err.message : 'Not a WhatsApp webhook.');
    }
    const channels = await s.channels.all();
    const signedBy = channels.filter((c) => c.appSecret === secret);
    const refuse = () => {
      s.metrics.webhookRequests.inc({ outcome: 'unknown_number' });
      return errors.unknownNumber();
    };
    // Meta delivers the changes of all of an app's numbers together. A number of the app that no
    // channel here runs (another system's, or one not added yet) has its changes left out, and
    // the rest is stored: refusing the delivery would have Meta retry it for days, holding up
    // our own numbers' messages and statuses with it. A delivery naming only such numbers is
    // refused (403), so Meta brings it back if the number is added meanwhile.
    const foreign = new Set(parsed.phoneNumberIds.filter((id) => !channels.some((c) => c.phoneNumberId === id)));
    if (foreign.size > 0) {
      if (foreign.size === parsed.phoneNumberIds.length) {
        throw refuse();
      }
      const before = parsed.events.length;
      parsed = { ...parsed, phoneNumberIds: parsed.phoneNumberIds.filter((id) => !foreign.has(id)), events: parsed.events.filter((e) => !('phoneNumberId' in e) || !foreign.has(e.phoneNumberId)) };
      s.metrics.webhookEvents.inc({ kind: 'foreign_number' }, before - parsed.events.length);
      s.log.warn({ numbers: [...foreign], events: before - parsed.events.length }, 'webhook: changes of numbers no channel runs were left out');
    }
    // Every number named in the payload that a channel here runs must belong to the app whose
    // secret signed it: otherwise the whole delivery is refused.
    const byPhone = new Map<string, ChannelCredentials>();
    for (const id of parsed.phoneNumberIds) {
      const channel = signedBy.find((c) => c.phoneNumberId === id);
      if (!channel) {
        throw refuse();
      }
      byPhone.set(id, channel);
    }
    // So must every WABA whose templates or quality it changes: app A's secret cannot touch WABA B.
    for (const event of parsed.events) {
      if ((event.kind === 'template_status' || event.kind === 'quality') && !signedBy.some((c) => c.wabaId === event.wabaId)) {
        throw refuse();
      }
    }
    const outcome = await ingestWebhook(s.db, batcher, parsed, (id) => byPhone.get(id)!, signedBy.map((c) => c.id), s.clock());
    // Costed before the 200: a failure answers 5xx and Meta's retry costs what is not costed yet.
    await costMessages(s, outcome.priced);
    s.metrics.webhookRequests.inc({ outcome: 'accepted' });
    s.metrics.webhookEvents.inc({ kind: 'message' }, outcome.stored);
    s.metrics.webhookEvents.inc({ kind: 'duplicate' }, outcome.duplicates);
    s.metrics.webhookEvents.inc({ kind: 'status' }, outcome.statuses);
    s.metrics.webhookEvents.inc({ kind: 'parked_status' }, outcome.parked);
    s.publish(outcome.notices);
    // New and reopened conversations are marked routing_pending by the commit: route them now.
    if (outcome.stored > 0) {
      s.onRoutingNeeded();
    }
    for (const wabaId of new Set(outcome.templateWabas)) {
      s.onTemplatesChanged(wabaId);
    }
    if (outcome.pendingMedia.length > 0) {
      s.onMediaPending(outcome.pendingMedia);
    }
    // Flag-only, after commit and off the response: a compiled scan, microseconds a message.
    s.lexicon.screenInbound(outcome.texts);
    // STOP / ARRÊT: awaited, so the opt-out is durable when Meta hears 200. A failure is logged,
    // not answered 5xx: the retry would find the messages stored and not look at them again.
    await optOutOnKeywords(s, outcome.texts).catch((err: unknown) => s.log.error({ err }, 'opt-out keywords: could not record'));
    // Auto-replies after commit and the opt-out (a STOP gets no answer), off the response path.
    s.autoReplies.onInbound(outcome.texts);
    ctx.status = 200;
    ctx.body = { ok: true };
  }
}
