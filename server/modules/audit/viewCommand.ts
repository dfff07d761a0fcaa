import type { Actor } from '../../lib/actor';
import type { Services } from '../../services';
import { viewRecordedSince } from './eventRepo';

/**
 * One reading of a conversation is one event: the panel fetches a conversation again when it
 * re-renders or comes back to a tab, so a view by the same user within this window is the same
 * reading, not a new one.
 */
export const VIEW_WINDOW_MS = 5 * 60_000;

/** Records that a user opened a conversation (who read what, when), once per reading. */
export async function recordConversationView(s: Pick<Services, 'db' | 'audit'>, actor: Actor, conversationId: string): Promise<void> {
  if (!actor.id) {
    return;
  }
  if (await viewRecordedSince(s.db, actor.id, conversationId, new Date(Date.now() - VIEW_WINDOW_MS))) {
    return;
  }
  await s.audit.record(actor, { action: 'conversation.viewed', subjectType: 'Conversation', subjectId: conversationId });
}
