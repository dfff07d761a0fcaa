import type { Knex } from 'knex';
import type { Db, Trx } from '../../db/knex';
import type { FieldMap } from '../authz/sql';

/** How CASL conditions on Conversation map to SQL. */
export const CONVERSATION_FIELDS: FieldMap = {
  id: { column: 'v.id' },
  assigneeId: { column: 'v.assignee_id' },
  teamId: { column: 'v.team_id' },
  channelId: { column: 'v.channel_id' },
  status: { column: 'v.status' },
};

export type ConversationRow = {
  id: string;
  status: 'open' | 'pending' | 'resolved';
  channel_id: string;
  channel_name: string;
  channel_display_number: string;
  contact_id: string;
  wa_id: string;
  profile_name: string | null;
  country: string | null;
  /** Set when the contact's data is restricted (GDPR Art. 18, a refused erasure): nothing is sent to them. */
  restricted_at: Date | null;
  assignee_id: string | null;
  assignee_name: string | null;
  team_id: string | null;
  last_message_at: Date | null;
  last_message_preview: string | null;
  last_message_direction: 'in' | 'out' | null;
  /** The agent who wrote the last outbound message (stale, and not shown, after an inbound one). */
  last_message_author_id: string | null;
  last_message_author_name: string | null;
  last_inbound_at: Date | null;
  first_response_at: Date | null;
  unread_count: number;
  created_at: Date;
};

/** The conversation columns every list and header reads (ConversationRow), over `conversations as v`. */
export function selectConversations(db: Db | Trx): Knex.QueryBuilder {
  return db('conversations as v')
    .join('channels as ch', 'ch.id', 'v.channel_id')
    .join('contacts as ct', 'ct.id', 'v.contact_id')
    .leftJoin('users as u', 'u.id', 'v.assignee_id')
    .leftJoin('users as la', 'la.id', 'v.last_message_author_id')
    .select(
      'v.id', 'v.status', 'v.channel_id', 'ch.name as channel_name', 'ch.display_number as channel_display_number',
      'v.contact_id', 'ct.wa_id', 'ct.profile_name', 'ct.country', 'ct.restricted_at', 'v.assignee_id', 'u.name as assignee_name', 'v.team_id',
      'v.last_message_at', 'v.last_message_preview', 'v.last_message_direction', 'v.last_inbound_at', 'v.first_response_at',
      'v.unread_count', 'v.created_at', 'v.last_message_author_id', 'la.name as last_message_author_name',
    );
}

export type ConversationFilter = {
  view: 'mine' | 'unassigned' | 'all';
  userId: string;
  channelId?: string;
  status?: 'open' | 'pending' | 'resolved';
  q?: string;
  /** Only open conversations whose customer has waited for an answer at least this long. */
  waitingOverSeconds?: number;
  /** Whether `q`'s digits may match the contact's number: not for viewers who see it masked. */
  phoneSearch?: boolean;
  cursor?: { at: Date; id: string };
  limit: number;
};

/** Most recent activity first, keyset-paged on (last_message_at, id). */
export async function listConversations(
  db: Db,
  f: ConversationFilter,
  narrow: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
): Promise<ConversationRow[]> {
  const q = selectConversations(db).orderByRaw('v.last_message_at DESC NULLS LAST, v.id DESC').limit(f.limit);
  if (f.view === 'mine') {
    q.where('v.assignee_id', f.userId);
  } else if (f.view === 'unassigned') {
    q.whereNull('v.assignee_id');
  }
  if (f.channelId) {
    q.where('v.channel_id', f.channelId);
  }
  if (f.status) {
    q.where('v.status', f.status);
  }
  if (f.q) {
    whereCustomerMatches(q, f.q, f.phoneSearch !== false);
  }
  if (f.waitingOverSeconds !== undefined) {
    q.where('v.status', 'open').where('v.last_message_direction', 'in').whereRaw('v.last_inbound_at <= now() - make_interval(secs => ?)', [f.waitingOverSeconds]);
  }
  if (f.cursor) {
    q.whereRaw('(v.last_message_at, v.id) < (?, ?)', [f.cursor.at, f.cursor.id]);
  }
  return narrow(q);
}

/**
 * Narrows conversations (joined to their contact as `ct`) to a customer whose name holds `text`,
 * or whose number holds its digits (three or more) when the reader may search by number.
 */
export function whereCustomerMatches(q: Knex.QueryBuilder, text: string, phoneSearch: boolean): Knex.QueryBuilder {
  const like = `%${text.replace(/[%_\\]/g, '\\$&')}%`;
  const digits = text.replace(/\D/g, '');
  return q.where((w) => {
    w.whereILike('ct.profile_name', like);
    if (phoneSearch && digits.length >= 3) {
      w.orWhereLike('ct.wa_id', `%${digits}%`);
    }
  });
}

const WAITING_STATUS: ConversationRow['status'] = 'open';

/** Open conversations no agent has taken yet: what the unassigned counters count. */
function waitingConversations(db: Db): Knex.QueryBuilder {
  // The partial index conversations_unassigned_open_idx has exactly this predicate; the status is
  // written into the statement, not bound, so even a generic plan can prove the index applies.
  return db('conversations as v').whereNull('v.assignee_id').whereRaw(`v.status = '${WAITING_STATUS}'`);
}

/** How many open unassigned conversations `narrow` (the caller's access conditions) lets through. */
export async function countUnassigned(db: Db, narrow: (q: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<number> {
  const row = (await narrow(waitingConversations(db).count<{ count: string }[]>('* as count')).first()) as { count: string } | undefined;
  return Number(row?.count ?? 0);
}

// FILTER clauses per statement when counting for many access conditions at once.
const MAX_CONDITIONS_PER_COUNT = 100;

/**
 * The same count for several access conditions (SQL over CONVERSATION_FIELDS), in one scan of the
 * waiting conversations per hundred conditions rather than one query per condition: the live
 * counters of hundreds of agents cost a statement or two per recount.
 */
export async function countUnassignedFor(db: Db, conditions: ReadonlyArray<{ sql: string; bindings: unknown[] }>): Promise<number[]> {
  const counts: number[] = [];
  for (let start = 0; start < conditions.length; start += MAX_CONDITIONS_PER_COUNT) {
    const chunk = conditions.slice(start, start + MAX_CONDITIONS_PER_COUNT);
    const columns = chunk.map((c, i) => db.raw(`count(*) FILTER (WHERE ${c.sql}) AS c${i}`, c.bindings as Knex.RawBinding[]));
    const row = (await waitingConversations(db).first(columns)) as Record<string, string> | undefined;
    chunk.forEach((_, i) => counts.push(Number(row?.[`c${i}`] ?? 0)));
  }
  return counts;
}

export async function findConversation(db: Db | Trx, id: string, opts: { forUpdate?: boolean } = {}): Promise<ConversationRow | undefined> {
  const q = selectConversations(db).where('v.id', id).first();
  // Locks the conversation row only (not the joined channel, contact and user).
  return opts.forUpdate ? q.forUpdate('v') : q;
}

/** Several conversations by id in one query (the live events of a burst). */
export async function findConversations(db: Db | Trx, ids: readonly string[]): Promise<ConversationRow[]> {
  return ids.length === 0 ? [] : selectConversations(db).whereRaw('v.id = ANY(?::uuid[])', [[...new Set(ids)]]);
}

export async function updateConversation(trx: Db | Trx, id: string, patch: Record<string, unknown>): Promise<void> {
  await trx('conversations').where({ id }).update({ ...patch, updated_at: new Date() });
}

/** Assigns the conversation to the user only if nobody has it (settling the router's pending look); whether it did. */
export async function claimIfUnassigned(trx: Trx, id: string, userId: string): Promise<boolean> {
  const changed = await trx('conversations').where({ id }).whereNull('assignee_id')
    .update({ assignee_id: userId, assigned_at: new Date(), routing_pending: false, updated_at: new Date() });
  return changed === 1;
}

export type MessageRow = {
  id: string;
  /** When this appliance stored it (received, or written by an agent); the partition key. */
  created_at: Date;
  /** WhatsApp's time: when the customer sent it (inbound), or when the Graph API accepted it (outbound). */
  sent_at: Date | null;
  conversation_id: string;
  direction: 'in' | 'out';
  wamid: string | null;
  type: string;
  text: string | null;
  content: Record<string, unknown>;
  media_id: string | null;
  context_wamid: string | null;
  author_type: 'customer' | 'agent' | 'bot' | 'broadcast' | 'system';
  author_id: string | null;
  author_name: string | null;
  status: string;
  status_times: Record<string, string>;
  error: { code: number; title: string; details?: string | null } | null;
  media_mime_type: string | null;
  media_size: number | null;
  media_filename: string | null;
  media_state: string | null;
};

function selectMessages(db: Db | Trx): Knex.QueryBuilder {
  return db('messages as m')
    .leftJoin('users as u', 'u.id', 'm.author_id')
    .leftJoin('media as md', 'md.id', 'm.media_id')
    .select(
      'm.id', 'm.created_at', 'm.sent_at', 'm.conversation_id', 'm.direction', 'm.wamid', 'm.type', 'm.text', 'm.content', 'm.media_id',
      'm.context_wamid', 'm.author_type', 'm.author_id', 'u.name as author_name', 'm.status', 'm.status_times', 'm.error',
      'md.mime_type as media_mime_type', 'md.size as media_size', 'md.filename as media_filename', 'md.state as media_state',
    );
}

/** One page of a conversation's history, newest first before a (created_at, id) cursor. */
export async function listMessages(db: Db, conversationId: string, before: { at: Date; id: string } | null, limit: number): Promise<MessageRow[]> {
  const q = selectMessages(db).where('m.conversation_id', conversationId).orderBy([{ column: 'm.created_at', order: 'desc' }, { column: 'm.id', order: 'desc' }]).limit(limit);
  if (before) {
    // The plain bound on created_at (the partition key) lets PostgreSQL skip the newer months'
    // partitions; the row comparison alone does not prune. Paging years back stays cheap.
    q.where('m.created_at', '<=', before.at).whereRaw('(m.created_at, m.id) < (?, ?)', [before.at, before.id]);
  }
  return q;
}

export async function findMessage(db: Db | Trx, id: string, createdAt?: Date): Promise<MessageRow | undefined> {
  const q = selectMessages(db).where('m.id', id);
  if (createdAt) {
    q.where('m.created_at', createdAt);
  }
  return q.first();
}

/**
 * Several messages by id in one query. The creation times, when known, bound the scan to the
 * partitions that can hold them.
 */
export async function findMessages(db: Db | Trx, ids: readonly string[], createdAt: readonly Date[] = []): Promise<MessageRow[]> {
  if (ids.length === 0) {
    return [];
  }
  // One statement text whatever the count (ANY of an array), so it is planned like the others.
  const q = selectMessages(db).whereRaw('m.id = ANY(?::uuid[])', [[...new Set(ids)]]);
  if (createdAt.length === ids.length) {
    const times = createdAt.map((d) => d.getTime());
    q.whereBetween('m.created_at', [new Date(Math.min(...times)), new Date(Math.max(...times))]);
  }
  return q;
}

/** Messages quoted by (context) or reacting to the given wamids, to show replies and reactions. */
export async function messagesByWamid(db: Db, conversationId: string, wamids: string[]): Promise<Array<{ id: string; wamid: string; text: string | null; type: string }>> {
  if (wamids.length === 0) {
    return [];
  }
  return db('messages').select('id', 'wamid', 'text', 'type').where({ conversation_id: conversationId }).whereIn('wamid', wamids);
}

export async function reactionsFor(db: Db, conversationId: string, wamids: string[]): Promise<Array<{ context_wamid: string; emoji: string; direction: 'in' | 'out'; created_at: Date }>> {
  if (wamids.length === 0) {
    return [];
  }
  return db('messages')
    .select('context_wamid', db.raw("content->>'emoji' AS emoji"), 'direction', 'created_at')
    .where({ conversation_id: conversationId, type: 'reaction' })
    .whereIn('context_wamid', wamids)
    .orderBy('created_at');
}

export async function markConversationRead(db: Db | Trx, conversationId: string): Promise<string[]> {
  await updateConversation(db, conversationId, { unread_count: 0 });
  const rows = (await db('messages')
    .where({ conversation_id: conversationId, direction: 'in', status: 'received' })
    .update({ status: 'read', status_times: db.raw("status_times || jsonb_build_object('read', now())") })
    .returning('wamid')) as Array<{ wamid: string | null }>;
  return rows.flatMap((r) => (r.wamid ? [r.wamid] : []));
}

/** An agent's message, queued (the outbox row that sends it is the outbox module's). */
export async function insertOutgoingMessage(trx: Trx, row: Record<string, unknown> & { id: string; created_at: Date }): Promise<void> {
  await trx('messages').insert(row);
}

/** The message that carries a media file, if any. */
export async function messageOfMedia(db: Db | Trx, mediaId: string): Promise<{ id: string; conversation_id: string; created_at: Date } | undefined> {
  return db('messages').select('id', 'conversation_id', 'created_at').where({ media_id: mediaId }).first();
}

/** The conversation of a message (its creation time bounds the scan to one partition). */
export async function conversationOfMessage(db: Db | Trx, id: string, createdAt: Date): Promise<string | undefined> {
  const row = (await db('messages').select('conversation_id').where({ id, created_at: createdAt }).first()) as { conversation_id: string } | undefined;
  return row?.conversation_id;
}
