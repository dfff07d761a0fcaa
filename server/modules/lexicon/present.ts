import type { HitRow, TermRow, TermStats } from './repo';

/** A term as the API answers it, with its hit statistics. */
export function presentTerm(t: TermRow, stats: TermStats | undefined) {
  return {
    id: t.id, term: t.term, normalized: t.normalized, locale: t.locale, action: t.action, source: t.source,
    createdAt: t.created_at.toISOString(), updatedAt: t.updated_at.toISOString(),
    stats: { hits: stats?.hits ?? 0, blocked: stats?.blocked ?? 0, flagged: stats?.flagged ?? 0, lastHitAt: stats?.last_hit_at ? new Date(stats.last_hit_at).toISOString() : null },
  };
}

/** A hit as the API answers it: ids and the term, never the message's text. */
export function presentHit(h: HitRow) {
  return {
    id: h.id, termId: h.term_id, term: h.term, action: h.action, direction: h.direction,
    conversationId: h.conversation_id, messageId: h.message_id, authorId: h.author_id, at: h.at.toISOString(),
    reviewedBy: h.reviewed_by, reviewedAt: h.reviewed_at ? h.reviewed_at.toISOString() : null,
  };
}
