import type { Db, Trx } from '../../db/knex';
import { newId } from '../../lib/ids';
import type { InboundMessage, ParsedWebhook, QualityUpdate, StatusUpdate, TemplateStatusUpdate } from '../../whatsapp/webhookParse';
import { countryOfWaId } from '../../whatsapp/country';
import type { ChannelCredentials } from '../channels/credentials';
import { updateChannelsByWaba } from '../channels/repo';
import { insertPendingMedia } from '../media/repo';
import { applyStatus, insertInbound } from './ingestRepo';
import { upsertTemplateStatus } from './templateRepo';

export type IngestOutcome = { stored: number; duplicates: number; statuses: number; parked: number; pendingMedia: string[] };

const PREVIEW_LENGTH = 120;

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
  const result = await insertInbound(db, {
    messageId: newId(),
    createdAt,
    channelId: channel.id,
    contactId: newId(),
    waId: m.from,
    profileName: m.profileName,
    country: countryOfWaId(m.from),
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
  if (mediaId) {
    outcome.pendingMedia.push(mediaId);
  }
}

async function storeStatus(db: Db | Trx, s: StatusUpdate, outcome: IngestOutcome): Promise<void> {
  const error = s.errors[0] ? { code: s.errors[0].code, title: s.errors[0].title, message: s.errors[0].message ?? null, details: s.errors[0].details ?? null } : null;
  const applied = await applyStatus(db, { wamid: s.wamid, status: s.status, at: s.timestamp, error, pricing: s.pricing, payload: s.raw });
  if (applied.applied) {
    outcome.statuses += 1;
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
  const outcome: IngestOutcome = { stored: 0, duplicates: 0, statuses: 0, parked: 0, pendingMedia: [] };
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
          break;
        case 'quality':
          await applyQuality(q, event as QualityUpdate);
          break;
        default:
          break;
      }
    }
  };
  const single = parsed.events.length === 1 && parsed.events[0]!.kind === 'message' ? !(parsed.events[0] as InboundMessage).media : parsed.events.length === 1;
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
