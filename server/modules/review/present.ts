import { presentConversation, type ConversationRow, type PresentedMessage } from '../conversations';

/**
 * A conversation as the review lists and opens it: the inbox's fields and when it started. The
 * customer's number follows the reviewer's field rule on Contact, as in the inbox.
 */
export function presentReviewConversation(c: ConversationRow, showPhone: boolean) {
  return { ...presentConversation(c, showPhone), createdAt: c.created_at.toISOString() };
}

/** The review's download route for a file of the conversation (reviewers may not use the inbox's). */
export function reviewMediaUrl(conversationId: string, mediaId: string): string {
  return `/api/v1/review/conversations/${conversationId}/media/${mediaId}`;
}

/** The inbox's presented messages, their files pointed at the review's route. */
export function presentReviewMessages(conversationId: string, messages: PresentedMessage[]): PresentedMessage[] {
  return messages.map((m) => (m.media ? { ...m, media: { ...m.media, url: reviewMediaUrl(conversationId, m.media.id) } } : m));
}
