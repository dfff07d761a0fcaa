import type { Db, Trx } from '../../db/knex';
import { newId } from '../../lib/ids';
import type { InboundMessage, ParsedWebhook, QualityUpdate, StatusUpdate, TemplateStatusUpdate } from '../../whatsapp/webhookParse';
import { countryOfWaId } from '../../whatsapp/country';
import type { ChannelCredentials } from '../channels/credentials';
import { updateChannelsByWaba } from '../channels/repo';
import { insertPendingMedia } from '../media/repo';
import { applyStatus, insertInbound } from './ingestRepo';
import { upsertTemplateStatus } from './templateRepo';
import type { LiveNotice } from './publisher';

export type IngestOutcome = { stored: number; duplicates: number; statuses: number; parked: number; pendingMedia: string[]; templateWabas: string[]; notices: LiveNotice[] };

const PREVIEW_LENGTH = 120;

// Customers write again and again from the same numbers; the lookup is not free.
const countries = new Map<string, string | null>();
function countryOf(waId: string): string | null {
  let c = countries.get(waId);
  if (c === undefined) {
    c = countryOfWaId(waId);
    if (countries.size > 100_000) {
      countries.clear();
    }
    countries.set(waId, c);
  }
  return c;
}

function previewOf(m: InboundMessage): string {
  const text = m.text?.trim();
  if (text) {
    return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH - 1)}…` : text;
  }
  return m.reaction ? `${m.reaction.emoji}` : `[${m.type}]`;
}

async function storeMessage(db: Db | Trx, channel: ChannelCredentials, m: InboundMessage, outcome: IngestOutcome): Promise<void> {
  const createdAt = new Date();
  let mediaId: string | null = null;
  if (m.media) {
    mediaId = newId();
    await insertPendingMedia(db, { id: mediaId, channelId: channel.id, mimeType: m.media.mimeType, sha256: m.media.sha256, filename: m.media.filename, metaMediaId: m.media.id });
  }
  const messageId = newId();
  const result = await insertInbound(db, {
    messageId,
    createdAt,
    channelId: channel.id,
    contactId: newId(),
    waId: m.from,
    profileName: m.profileName,
    country: countryOf(m.from),
    wamid: m.wamid,
    type: m.type,
    text: m.text,
    content: m.content,
    mediaId,
    contextWamid: m.contextWamid ?? m.reaction?.wamid ?? null,
    sentAt: m.timestamp,
    preview: previewOf(m),
    raw: m.raw,
    conversationId: newId(),
  });
  if (result.duplicate) {
    outcome.duplicates += 1;
    if (mediaId) {
      // The pending media row of a repeated message is not needed.
      await db('media').where({ id: mediaId }).delete();
    }
    return;
  }
  outcome.stored += 1;
  outcome.notices.push({ type: 'message.created', conversationId: result.conversationId, messageId, createdAt });
  if (mediaId) {
    outcome.pendingMedia.push(mediaId);
  }
}

async function storeStatus(db: Db | Trx, s: StatusUpdate, outcome: IngestOutcome): Promise<void> {
  const error = s.errors[0] ? { code: s.errors[0].code, title: s.errors[0].title, message: s.errors[0].message ?? null, details: s.errors[0].details ?? null } : null;
  const applied = await applyStatus(db, { wamid: s.wamid, status: s.status, at: s.timestamp, error, pricing: s.pricing, payload: s.raw });
  if (applied.applied) {
    outcome.statuses += 1;
    outcome.notices.push({ type: 'message.status', conversationId: applied.conversationId!, messageId: applied.messageId, createdAt: applied.createdAt });
  } else {
    outcome.parked += 1;
  }
}

/**
 * Makes a verified webhook durable: messages, statuses, template and quality changes, all in
 * one transaction (a single event needs no explicit transaction: its statement is atomic).
 * `channelFor` names the channel of each phone_number_id, already checked against the secret.
 */
export async function ingestWebhook(
  db: Db,
  parsed: ParsedWebhook,
  channelFor: (phoneNumberId: string) => ChannelCredentials,
): Promise<IngestOutcome> {
  const outcome: IngestOutcome = { stored: 0, duplicates: 0, statuses: 0, parked: 0, pendingMedia: [], templateWabas: [], notices: [] };
  const run = async (q: Db | Trx) => {
    for (const event of parsed.events) {
      switch (event.kind) {
        case 'message':
          await storeMessage(q, channelFor(event.phoneNumberId), event, outcome);
          break;
        case 'status':
          await storeStatus(q, event, outcome);
          break;
        case 'template_status':
          await upsertTemplateStatus(q, event as TemplateStatusUpdate);
          outcome.templateWabas.push(event.wabaId);
          break;
        case 'quality':
          await applyQuality(q, event as QualityUpdate);
          break;
        default:
          break;
      }
    }
  };
  // One event without media is one atomic statement; anything more gets a transaction.
  const first = parsed.events[0];
  const single = parsed.events.length === 1 && !(first?.kind === 'message' && first.media);
  if (single) {
    await run(db);
  } else {
    await db.transaction(run);
  }
  return outcome;
}

async function applyQuality(db: Db | Trx, q: QualityUpdate): Promise<void> {
  const patch: Record<string, unknown> = {};
  if (q.qualityRating) {
    patch.quality_rating = q.qualityRating;
  }
  if (q.currentLimit) {
    patch.messaging_tier = q.currentLimit;
  }
  if (Object.keys(patch).length > 0) {
    await updateChannelsByWaba(db, q.wabaId, q.displayPhoneNumber, patch);
  }
}
