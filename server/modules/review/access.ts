import { subject as asSubject } from '@casl/ability';
import type { Db } from '../../db/knex';
import { errors, RowDenied } from '../../lib/errors';
import type { AppAbility } from '../authz/ability';
import { findConversation, type ConversationRow } from '../conversations';

/**
 * A conversation as a reviewer's rules see it. The built-in compliance roles review any
 * conversation; a custom role may narrow the review (to some numbers, say) with the same fields
 * as Conversation (CONVERSATION_FIELDS turns them into SQL for the list).
 */
const asReviewSubject = (c: ConversationRow) =>
  asSubject('ConversationReview', { id: c.id, assigneeId: c.assignee_id, teamId: c.team_id, channelId: c.channel_id, status: c.status });

/** Loads a conversation for review: 404 when missing or outside the reviewer's rules (ids cannot be probed). */
export async function loadForReview(db: Db, ability: AppAbility, id: string): Promise<ConversationRow> {
  const c = await findConversation(db, id);
  if (!c) {
    throw errors.notFound('Conversation');
  }
  if (!ability.can('read', asReviewSubject(c))) {
    throw new RowDenied('ConversationReview', 'read', c.id);
  }
  return c;
}
