import { subject as asSubject } from '@casl/ability';
import { errors, RowDenied } from '../../lib/errors';
import type { Services } from '../../services';
import type { AppAbility } from '../authz/ability';
import { findConversation, type ConversationRow } from './repo';

/** A conversation as CASL conditions name its fields (CONVERSATION_FIELDS for SQL). */
export const asCasl = (c: Pick<ConversationRow, 'id' | 'assignee_id' | 'team_id' | 'channel_id' | 'status'>) => asSubject('Conversation', { id: c.id, assigneeId: c.assignee_id, teamId: c.team_id, channelId: c.channel_id, status: c.status });

/**
 * Loads a conversation and checks an action on it: 404 when missing or not readable, 403
 * `row_action_denied` when readable but the action is not allowed on it.
 */
export async function loadConversation(s: Services, ability: AppAbility, id: string, action = 'read'): Promise<ConversationRow> {
  const c = await findConversation(s.db, id);
  if (!c) {
    throw errors.notFound('Conversation');
  }
  const readable = ability.can('read', asCasl(c));
  if (!readable || !ability.can(action, asCasl(c))) {
    throw new RowDenied('Conversation', readable ? action : 'read', c.id, readable);
  }
  return c;
}
