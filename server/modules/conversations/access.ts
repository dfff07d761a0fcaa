import { subject as asSubject } from '@casl/ability';
import { errors, RowDenied } from '../../lib/errors';
import type { Services } from '../../services';
import type { AppAbility } from '../authz/ability';
import { findConversation, type ConversationRow } from './repo';

const asCasl = (c: ConversationRow) => asSubject('Conversation', { id: c.id, assigneeId: c.assignee_id, teamId: c.team_id, channelId: c.channel_id, status: c.status });

/** Loads a conversation and checks an action on it (404 when missing or not allowed). */
export async function loadConversation(s: Services, ability: AppAbility, id: string, action = 'read'): Promise<ConversationRow> {
  const c = await findConversation(s.db, id);
  if (!c) {
    throw errors.notFound('Conversation');
  }
  if (!ability.can('read', asCasl(c)) || !ability.can(action, asCasl(c))) {
    throw new RowDenied('Conversation', action, c.id);
  }
  return c;
}
