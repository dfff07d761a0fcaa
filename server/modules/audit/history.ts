import type { Db } from '../../db/knex';
import { exportBatch, type EventRow } from './eventRepo';
import { resolveNames } from './names';
import { presentEvent } from './present';

/** A conversation's history: its audit events in the order they happened, names resolved now. */
export type ConversationHistory = {
  items: Array<ReturnType<typeof presentEvent>>;
  /** Names of the users, teams and the conversation the page refers to, keyed "Type:id". */
  names: Record<string, string>;
  /** Pass as `afterSeq` for the next (later) page; null when this page is the last. */
  nextAfterSeq: number | null;
};

// No upper bound on the chain: a page simply stops at the newest event.
const CHAIN_END = Number.MAX_SAFE_INTEGER;

/**
 * Every audit event whose subject is the conversation (assigned, transferred, claimed, resolved,
 * reopened, read, viewed, reviewed...), oldest first, after `afterSeq`. One query for the events
 * (index audit_events (subject_type, subject_id, seq)) and one for the names they refer to: the
 * actors and assignees as they are named today, never names copied into the log.
 * The review page shows it beside the transcript; the inbox may show it too.
 */
export async function conversationHistory(db: Db, conversationId: string, page: { afterSeq?: number; limit: number }): Promise<ConversationHistory> {
  const rows: EventRow[] = await exportBatch(
    db,
    { subjectType: 'Conversation', subjectId: conversationId },
    { afterSeq: page.afterSeq ?? 0, throughSeq: CHAIN_END },
    page.limit,
    (q) => q,
  );
  const last = rows[rows.length - 1];
  return {
    items: rows.map(presentEvent),
    names: await resolveNames(db, rows),
    nextAfterSeq: rows.length === page.limit && last ? Number(last.seq) : null,
  };
}
