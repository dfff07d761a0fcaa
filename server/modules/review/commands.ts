import type { Actor } from '../../lib/actor';
import type { Services } from '../../services';
import { reviewRecordedSince } from './repo';

/**
 * How long an opening covers the reads that make it up: the panel opens a conversation and then
 * fetches its transcript and history; an API client that reads the transcript or the history
 * without opening it first is on record too, once per this window.
 */
export const REVIEW_WINDOW_MS = 5 * 60_000;

type Part = 'messages' | 'history';

/**
 * Records one compliance reading of a conversation. Unlike the inbox's views, every opening is
 * its own event (no de-duplication): the issue asks for each review to be on record.
 * Ids only: the conversation is the subject, its contact is named when the log is read.
 */
export async function recordReview(s: Pick<Services, 'audit'>, actor: Actor, conversationId: string): Promise<void> {
  await s.audit.record(actor, { action: 'conversation.reviewed', subjectType: 'Conversation', subjectId: conversationId });
}

/** Records a read of a conversation's transcript or history unless an opening by the same user covers it. */
export async function recordReviewedPart(s: Pick<Services, 'audit' | 'db'>, actor: Actor & { id: string }, conversationId: string, part: Part): Promise<void> {
  // The audit log's own clock (the machine's), not the application's calendar clock.
  if (await reviewRecordedSince(s.db, actor.id, conversationId, new Date(Date.now() - REVIEW_WINDOW_MS))) {
    return;
  }
  await s.audit.record(actor, { action: 'conversation.reviewed', subjectType: 'Conversation', subjectId: conversationId, details: { part } });
}

/** Records that a file of a conversation was opened for review (every file, every time). */
export async function recordReviewedMedia(s: Pick<Services, 'audit'>, actor: Actor, conversationId: string, mediaId: string): Promise<void> {
  await s.audit.record(actor, { action: 'conversation.media_reviewed', subjectType: 'Conversation', subjectId: conversationId, details: { mediaId } });
}

/**
 * Records a review search that named a customer (a contact, or a name or number to look for):
 * which filters were used and the conversations and contacts it found, by id. The searched text
 * itself is personal data and is not kept.
 */
export async function recordCustomerSearch(
  s: Pick<Services, 'audit'>,
  actor: Actor,
  search: { contactId?: string; byText: boolean; found: Array<{ id: string; contactId: string }> },
): Promise<void> {
  await s.audit.record(actor, {
    action: 'conversation.review_searched',
    details: {
      contactId: search.contactId ?? null,
      byNameOrNumber: search.byText,
      conversationIds: search.found.map((c) => c.id),
      contactIds: [...new Set(search.found.map((c) => c.contactId))],
      returned: search.found.length,
    },
  });
}
