import { highlightsOf } from './highlights';
import type { ExportRow, HitRow } from './repo';

/** A search result as the API answers it: names resolved now, highlights as ranges. */
export function presentHit(h: HitRow, wanted: Set<string>) {
  return {
    id: h.id,
    createdAt: h.at,
    direction: h.direction,
    type: h.type,
    conversationId: h.conversation_id,
    channel: { id: h.channel_id, label: h.channel_name },
    contact: { id: h.contact_id, label: h.contact_name ? `${h.contact_name} (+${h.contact_wa_id})` : `+${h.contact_wa_id}` },
    author: { type: h.author_type, id: h.author_id, label: h.author_name ?? h.author_email ?? null },
    mediaId: h.media_id,
    text: h.text,
    highlights: highlightsOf(h.text, h.tokens, wanted),
  };
}

/** An export as the API answers it (never its file's location in the store). */
export function presentExport(e: ExportRow) {
  return {
    id: e.id,
    state: e.state,
    filters: e.filters as Record<string, unknown>,
    totalMessages: e.total_messages,
    doneMessages: e.done_messages,
    mediaFiles: e.media_files,
    sha256: e.sha256,
    size: e.size === null ? null : Number(e.size),
    createdAt: e.created_at.toISOString(),
    createdBy: e.created_by_email ?? null,
    finishedAt: e.finished_at ? e.finished_at.toISOString() : null,
    expiresAt: e.expires_at.toISOString(),
  };
}
