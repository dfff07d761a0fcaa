import type { Db, Trx } from '../../db/knex';
import { newId } from '../../lib/ids';
import type { InboundMessage, ParsedWebhook, QualityUpdate, StatusUpdate, TemplateStatusUpdate } from '../../whatsapp/webhookParse';
import { countryOfWaId } from '../../whatsapp/country';
import { regionOf } from '../contacts';
import { truncateText } from '../../whatsapp/webhookText';
import type { ChannelCredentials } from '../channels/credentials';
import { updateChannelsByWaba } from '../channels';
import { applyStatuses } from './ingestRepo';
import { type InboundBatcher, type InboundRow } from './inboundBatcher';
import { upsertTemplateStatus } from './templateRepo';
import type { LiveNotice } from './liveNotices';

export type IngestOutcome = {
  stored: number; duplicates: number; statuses: number; parked: number; pendingMedia: string[]; templateWabas: string[]; notices: LiveNotice[];
  /** The text of each message stored, for the lexicon's inbound scan (after the webhook is answered). */
  texts: Array<{ messageId: string; createdAt: Date; conversationId: string; text: string }>;
  /** The messages whose status carried Meta's `pricing`, for costing (costs module). */
  priced: Array<{ messageId: string; createdAt: Date }>;
};

const PREVIEW_LENGTH = 120;
// Meta caps a text at 4,096 characters. Far longer text (the full value stays in `raw`) would
// overflow PostgreSQL's 1 MB limit on the search column's tsvector and fail the insert.
const TEXT_MAX = 65_536;

// Customers write again and again from the same numbers; the lookups are not free.
const places = new Map<string, { country: string | null; region: string | null }>();
function placeOf(waId: string): { country: string | null; region: string | null } {
  let p = places.get(waId);
  if (p === undefined) {
    p = { country: countryOfWaId(waId), region: regionOf(waId) };
    if (places.size > 100_000) {
      places.clear();
    }
    places.set(waId, p);
  }
  return p;
}

function previewOf(m: InboundMessage): string {
  const text = m.text?.trim();
  if (text) {
    return text.length > PREVIEW_LENGTH ? `${truncateText(text, PREVIEW_LENGTH - 1)}…` : text;
  }
  return m.reaction ? `${m.reaction.emoji}` : `[${m.type}]`;
}

function inboundRow(channel: ChannelCredentials, m: InboundMessage, receivedAt: Date): InboundRow {
  return {
    messageId: newId(),
    createdAt: receivedAt,
    channelId: channel.id,
    contactId: newId(),
    waId: m.from,
    profileName: m.profileName,
    ...placeOf(m.from),
    wamid: m.wamid,
    type: m.type,
    text: m.text === null ? null : truncateText(m.text, TEXT_MAX),
    content: m.content,
    media: m.media ? { id: newId(), mimeType: m.media.mimeType, sha256: m.media.sha256, filename: m.media.filename, metaMediaId: m.media.id } : null,
    contextWamid: m.contextWamid ?? m.reaction?.wamid ?? null,
    sentAt: m.timestamp,
    preview: previewOf(m),
    raw: m.raw,
    conversationId: newId(),
  };
}

/** The statuses of one webhook, in one batch (a busy number's webhook carries up to 1,000). */
async function storeStatuses(db: Db | Trx, statuses: Array<{ s: StatusUpdate; channelId: string }>, outcome: IngestOutcome): Promise<void> {
  const rows = statuses.map(({ s, channelId }) => {
    const error = s.errors[0] ? { code: s.errors[0].code, title: s.errors[0].title, message: s.errors[0].message ?? null, details: s.errors[0].details ?? null } : null;
    const opaque = (s.raw as { biz_opaque_callback_data?: unknown } | null)?.biz_opaque_callback_data;
    return { wamid: s.wamid, status: s.status, at: s.timestamp, error, pricing: s.pricing, payload: s.raw, channelId, ...(typeof opaque === 'string' ? { opaque } : {}) };
  });
  (await applyStatuses(db, rows)).forEach((applied, i) => {
    if (applied.applied) {
      outcome.statuses += 1;
      outcome.notices.push({ type: 'message.status', conversationId: applied.conversationId!, messageId: applied.messageId, createdAt: applied.createdAt });
      // Costed once the message is known (the costs module ignores repeats).
      if (statuses[i]!.s.pricing) {
        outcome.priced.push({ messageId: applied.messageId!, createdAt: applied.createdAt! });
      }
    } else {
      outcome.parked += 1;
    }
  });
}

/**
 * Makes a verified webhook durable: messages (through the batcher's group commit), statuses,
 * template and quality changes. The events of one payload are not stored atomically, and need
 * not be: each is idempotent, so a payload that fails half way is answered 5xx and Meta's
 * retry completes it. `channelFor` names the channel of each phone_number_id, already checked
 * against the secret; `receivedAt` is the application's clock (it also picks the partition).
 * `signedChannelIds` are the numbers of the app whose secret signed it.
 */
export async function ingestWebhook(
  db: Db,
  batcher: InboundBatcher,
  parsed: ParsedWebhook,
  channelFor: (phoneNumberId: string) => ChannelCredentials,
  signedChannelIds: string[],
  receivedAt: Date,
): Promise<IngestOutcome> {
  const outcome: IngestOutcome = { stored: 0, duplicates: 0, statuses: 0, parked: 0, pendingMedia: [], templateWabas: [], notices: [], texts: [], priced: [] };
  const rows: InboundRow[] = [];
  for (const event of parsed.events) {
    if (event.kind === 'message') {
      rows.push(inboundRow(channelFor(event.phoneNumberId), event, receivedAt));
    }
  }
  const results = rows.length > 0 ? await batcher.store(rows) : [];
  results.forEach((result, i) => {
    const row = rows[i]!;
    if (result.duplicate) {
      outcome.duplicates += 1;
      return;
    }
    outcome.stored += 1;
    outcome.notices.push({ type: 'message.created', conversationId: result.conversationId, messageId: result.messageId, createdAt: row.createdAt });
    if (row.media) {
      outcome.pendingMedia.push(row.media.id);
    }
    if (row.text) {
      outcome.texts.push({ messageId: result.messageId, createdAt: row.createdAt, conversationId: result.conversationId, text: row.text });
    }
  });
  const statuses = parsed.events.filter((e): e is StatusUpdate => e.kind === 'status').map((s) => ({ s, channelId: channelFor(s.phoneNumberId).id }));
  if (statuses.length > 0) {
    await storeStatuses(db, statuses, outcome);
  }
  for (const event of parsed.events) {
    switch (event.kind) {
      case 'template_status':
        await upsertTemplateStatus(db, event as TemplateStatusUpdate);
        outcome.templateWabas.push(event.wabaId);
        break;
      case 'quality':
        await applyQuality(db, event as QualityUpdate, signedChannelIds);
        break;
      default:
        break;
    }
  }
  return outcome;
}

/** A quality or tier change, applied only to the numbers of the app whose secret signed it. */
async function applyQuality(db: Db | Trx, q: QualityUpdate, signedChannelIds: string[]): Promise<void> {
  const patch: Record<string, unknown> = {};
  if (q.qualityRating) {
    patch.quality_rating = q.qualityRating;
  } else if (q.event === 'FLAGGED' || q.event === 'UNFLAGGED') {
    // Meta's quality webhook names the event, not always the rating: FLAGGED is a drop to low
    // (RED, which pauses the number's broadcasts), UNFLAGGED a recovery to at least medium.
    patch.quality_rating = q.event === 'FLAGGED' ? 'RED' : 'YELLOW';
  }
  if (q.currentLimit) {
    patch.messaging_tier = q.currentLimit;
  }
  if (Object.keys(patch).length > 0) {
    await updateChannelsByWaba(db, q.wabaId, q.displayPhoneNumber, patch, signedChannelIds);
  }
}
