import type { Knex } from 'knex';
import type { Db } from '../../db/knex';
import { selectConversations, whereCustomerMatches, type ConversationRow } from '../conversations';

/** The audit action of a compliance reading of a conversation. */
export const REVIEWED = 'conversation.reviewed';

export type ReviewFilter = {
  channelId?: string;
  agentId?: string;
  contactId?: string;
  q?: string;
  /** Digits find a customer's number only for a reviewer who may read numbers (as in the inbox). */
  phoneSearch?: boolean;
  status?: ConversationRow['status'];
  from: Date;
  to?: Date;
  cursor?: { at: Date; id: string };
  limit: number;
};

/** Messages of the listed conversation (`v`) inside the range: created_at is the partition key, so only the range's months are read. */
function messagesInRange(db: Db, f: Pick<ReviewFilter, 'from' | 'to'>): Knex.QueryBuilder {
  const q = db('messages as m').select(db.raw('1')).whereRaw('m.conversation_id = v.id').where('m.created_at', '>=', f.from);
  if (f.to) {
    q.where('m.created_at', '<', f.to);
  }
  return q;
}

/**
 * Conversations with a message in the range, whoever they belong to (the compliance view has no
 * row conditions unless a custom role adds some: `narrow`), the most recently started first, keyset-paged on (created_at, id).
 */
export async function listReviewConversations(db: Db, f: ReviewFilter, narrow: (q: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<ConversationRow[]> {
  const q = selectConversations(db).whereExists(messagesInRange(db, f)).orderBy([{ column: 'v.created_at', order: 'desc' }, { column: 'v.id', order: 'desc' }]).limit(f.limit);
  if (f.channelId) {
    q.where('v.channel_id', f.channelId);
  }
  if (f.status) {
    q.where('v.status', f.status);
  }
  if (f.contactId) {
    q.where('v.contact_id', f.contactId);
  }
  if (f.agentId) {
    const agentId = f.agentId;
    q.where((w) => w.where('v.assignee_id', agentId).orWhereExists(messagesInRange(db, f).where('m.author_id', agentId)));
  }
  if (f.q) {
    whereCustomerMatches(q, f.q, f.phoneSearch !== false);
  }
  if (f.cursor) {
    q.whereRaw('(v.created_at, v.id) < (?, ?)', [f.cursor.at, f.cursor.id]);
  }
  return narrow(q);
}

/** Whether a media file belongs to a message of the conversation (the review serves no other file). */
export async function mediaInConversation(db: Db, mediaId: string, conversationId: string): Promise<boolean> {
  const row = await db('messages').select('id').where({ media_id: mediaId, conversation_id: conversationId }).first();
  return row !== undefined;
}

/** The numbers and users the review's filters offer, by name. */
export async function reviewOptions(db: Db): Promise<{ channels: Array<{ id: string; label: string }>; agents: Array<{ id: string; label: string }> }> {
  const channels = (await db('channels').select('id', 'name', 'display_number').orderBy('name')) as Array<{ id: string; name: string; display_number: string }>;
  const agents = (await db('users').select('id', 'name', 'email').orderBy('name')) as Array<{ id: string; name: string; email: string }>;
  return {
    channels: channels.map((c) => ({ id: c.id, label: `${c.name} (${c.display_number})` })),
    agents: agents.map((u) => ({ id: u.id, label: `${u.name} <${u.email}>` })),
  };
}

/** Whether this user's review of this conversation was recorded at or after `since`. */
export async function reviewRecordedSince(db: Db, actorId: string, conversationId: string, since: Date): Promise<boolean> {
  const row = await db('audit_events')
    .select('seq')
    .where({ subject_type: 'Conversation', subject_id: conversationId, actor_id: actorId, action: REVIEWED })
    .where('at', '>=', since)
    .first();
  return row !== undefined;
}
