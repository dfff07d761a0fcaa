import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import type { Services } from '../../services';
import { isActiveUser } from '../identity';
import { publishNotice } from '../inbox';
import { teamExists } from '../teams';
import { findConversation, markConversationRead, updateConversation, type ConversationRow } from './repo';

async function notifyUpdated(trx: Parameters<typeof updateConversation>[0], conversationId: string): Promise<void> {
  await publishNotice(trx, { type: 'conversation.updated', conversationId });
}

/** Assigns or transfers a conversation (to an agent and/or a team); audited, pushed live. */
export async function assignConversation(
  s: Services,
  actor: Actor,
  id: string,
  to: { assigneeId: string | null; teamId?: string },
  action: 'conversation.assigned' | 'conversation.transferred',
): Promise<ConversationRow> {
  return s.db.transaction(async (trx) => {
    const before = await findConversation(trx, id);
    if (!before) {
      throw errors.notFound('Conversation');
    }
    if (to.assigneeId) {
      if (!(await isActiveUser(trx, to.assigneeId))) {
        throw errors.validation('The assignee is not an active user.', { fields: [{ path: 'body.assigneeId', message: 'unknown or disabled' }] });
      }
    }
    if (to.teamId && !(await teamExists(trx, to.teamId))) {
      throw errors.validation('Unknown team.', { fields: [{ path: 'body.teamId', message: 'unknown' }] });
    }
    const patch: Record<string, unknown> = { assignee_id: to.assigneeId };
    if (to.teamId) {
      patch.team_id = to.teamId;
    }
    await updateConversation(trx, id, patch);
    await s.audit.appendIn(trx, actor, [
      { action, subjectType: 'Conversation', subjectId: id, details: { fromAssigneeId: before.assignee_id, toAssigneeId: to.assigneeId, teamId: to.teamId ?? before.team_id } },
    ]);
    await notifyUpdated(trx, id);
    return (await findConversation(trx, id))!;
  });
}

/** Resolves or reopens a conversation; audited, pushed live. */
export async function setConversationStatus(s: Services, actor: Actor, id: string, status: 'open' | 'resolved'): Promise<ConversationRow> {
  return s.db.transaction(async (trx) => {
    await updateConversation(trx, id, { status, resolved_at: status === 'resolved' ? new Date() : null });
    await s.audit.appendIn(trx, actor, [{ action: status === 'resolved' ? 'conversation.resolved' : 'conversation.reopened', subjectType: 'Conversation', subjectId: id }]);
    await notifyUpdated(trx, id);
    return (await findConversation(trx, id))!;
  });
}

/**
 * Opening a conversation marks its inbound messages read here and, for the latest one, on
 * WhatsApp (which marks everything before it read too). The Graph call happens after commit
 * and its failure does not undo the local state.
 */
export async function markRead(s: Services, actor: Actor, c: ConversationRow): Promise<void> {
  const wamids = await s.db.transaction(async (trx) => {
    const read = await markConversationRead(trx, c.id);
    await s.audit.appendIn(trx, actor, [
      { action: 'conversation.read', subjectType: 'Conversation', subjectId: c.id, details: { messagesMarkedRead: read.length } },
    ]);
    await notifyUpdated(trx, c.id);
    return read;
  });
  const latest = wamids[wamids.length - 1];
  if (latest) {
    s.readReceipts(c.channel_id, latest);
  }
}
