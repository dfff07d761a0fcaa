import type { Actor } from '../../lib/actor';
import type { Services } from '../../services';

/**
 * Records one compliance reading of a conversation. Unlike the inbox's views, every opening is
 * its own event (no de-duplication window): the issue asks for each review to be on record.
 * Ids only: the conversation is the subject, its contact is named when the log is read.
 */
export async function recordReview(s: Pick<Services, 'audit'>, actor: Actor, conversationId: string, part: 'conversation' | 'media', mediaId?: string): Promise<void> {
  await s.audit.record(actor, {
    action: part === 'media' ? 'conversation.media_reviewed' : 'conversation.reviewed',
    subjectType: 'Conversation',
    subjectId: conversationId,
    details: mediaId ? { mediaId } : {},
  });
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
