import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import type { Services } from '../../services';
import { publishNotice } from '../inbox';
import { teamExists } from '../teams';
import { assertEligibleAssignee } from './assignees';
import type { Trx } from '../../db/knex';
import { claimIfUnassigned, findConversation, markConversationRead, updateConversation, type ConversationRow } from './repo';

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
  const row = await s.db.transaction(async (trx) => {
    const before = await findConversation(trx, id);
    if (!before) {
      throw errors.notFound('Conversation');
    }
    if (to.teamId && !(await teamExists(trx, to.teamId))) {
      throw errors.validation('Unknown team.', { fields: [{ path: 'body.teamId', message: 'unknown' }] });
    }
    if (to.assigneeId) {
      await assertEligibleAssignee(trx, { ...before, team_id: to.teamId ?? before.team_id }, to.assigneeId);
    }
    // assigned_at restarts the first-response clock for the new holder (routing's offers). A
    // person's decision settles the router's pending look: a pass already under way must not
    // undo it (an unassigned conversation waits in the queue anyway).
    const patch: Record<string, unknown> = { assignee_id: to.assigneeId, assigned_at: new Date(), routing_pending: false };
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
  // Unassigned, or moved to another team: the router may place it now.
  s.onRoutingNeeded();
  return row;
}

export type ConversationStatus = 'open' | 'pending' | 'resolved';

const STATUS_EVENTS: Record<ConversationStatus, string> = {
  open: 'conversation.reopened',
  pending: 'conversation.pending',
  resolved: 'conversation.resolved',
};

/** Changes a conversation's status inside a transaction: audited, pushed live when it commits. */
export async function changeStatusIn(trx: Trx, s: Services, actor: Actor, id: string, status: ConversationStatus): Promise<void> {
  await updateConversation(trx, id, { status, resolved_at: status === 'resolved' ? new Date() : null });
  await s.audit.appendIn(trx, actor, [{ action: STATUS_EVENTS[status], subjectType: 'Conversation', subjectId: id }]);
  await notifyUpdated(trx, id);
}

/** Resolves, reopens or sets a conversation pending (waiting on the customer); audited, pushed live. */
export async function setConversationStatus(s: Services, actor: Actor, id: string, status: ConversationStatus): Promise<ConversationRow> {
  const row = await s.db.transaction(async (trx) => {
    await changeStatusIn(trx, s, actor, id, status);
    return (await findConversation(trx, id))!;
  });
  // A resolved conversation frees its agent's capacity for whoever waits.
  s.onRoutingNeeded();
  return row;
}

/**
 * Takes an unassigned conversation from the queue. The update is conditional, so of two agents
 * claiming at once one wins and the other gets 409 (the row changed under them).
 */
export async function claimConversation(s: Services, actor: Actor & { id: string }, id: string): Promise<ConversationRow> {
  return s.db.transaction(async (trx) => {
    if (!(await claimIfUnassigned(trx, id, actor.id))) {
      throw errors.conflict('Someone else has taken this conversation.');
    }
    await s.audit.appendIn(trx, actor, [{ action: 'conversation.claimed', subjectType: 'Conversation', subjectId: id, details: { assigneeId: actor.id } }]);
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
