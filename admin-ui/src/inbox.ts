/** Pure helpers for the inbox: list updates from live events, message merging, the 24 h window. */
import { subject } from '@casl/ability';
import type { ConversationStatus, ConversationSummary, InboxView, Message, MessageError, MessageStatus, StatusTimes } from './types';

export interface InboxFilters {
  view: InboxView;
  channelId: string;
  status: ConversationStatus | '';
  q: string;
}

/** The 24-hour customer-service window after the customer's last message (Meta's rule). */
export const WINDOW_MS = 24 * 60 * 60 * 1000;

/** The reactions the composer offers. */
export const REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

/** The contact's profile name, or their number ('—' when a field rule hides both). */
export function contactName(conversation: ConversationSummary): string {
  return conversation.contact.profileName?.trim() || formatWaId(conversation.contact.waId) || '—';
}

/** wa_id is the number in international format without `+` (absent when a field rule hides it). */
export function formatWaId(waId: string | null | undefined): string {
  if (!waId) {
    return '';
  }
  return waId.startsWith('+') ? waId : `+${waId}`;
}

/**
 * The conversation as CASL conditions see it (the server's CONVERSATION_FIELDS), for checking
 * an action on this row rather than on conversations in general.
 */
export function conversationSubject(conversation: Pick<ConversationSummary, 'id' | 'assignee' | 'teamId' | 'channel' | 'status'>) {
  return subject('Conversation', {
    id: conversation.id,
    assigneeId: conversation.assignee?.id ?? null,
    teamId: conversation.teamId,
    channelId: conversation.channel.id,
    status: conversation.status,
  });
}

/** What readsBeyondQueue needs of an ability (structural, so this file stays free of the DOM-bound modules). */
type RuleSource = { rulesFor(action: 'read', subject: 'Conversation'): ReadonlyArray<{ inverted: boolean; conditions?: unknown }> };

/**
 * Whether the user may read conversations beyond their own and the queue's (so the inbox offers
 * "All"): any read rule without conditions, or with conditions other than "assigned to me" or
 * "assigned to nobody" (a team's, a number's...). Whether they may assign plays no part.
 */
export function readsBeyondQueue(ability: RuleSource, meId: string): boolean {
  return ability.rulesFor('read', 'Conversation').some((rule) => {
    if (rule.inverted) {
      return false;
    }
    const conditions = rule.conditions as Record<string, unknown> | undefined;
    if (!conditions) {
      return true;
    }
    const keys = Object.keys(conditions);
    const queueOnly = keys.length === 1 && keys[0] === 'assigneeId' && (conditions.assigneeId === meId || conditions.assigneeId === null);
    return !queueOnly;
  });
}

/** Whether free-form messages may be sent now (null or past means closed). */
export function isWindowOpen(conversation: Pick<ConversationSummary, 'windowExpiresAt'>, now: number): boolean {
  if (!conversation.windowExpiresAt) {
    return false;
  }
  const expires = Date.parse(conversation.windowExpiresAt);
  return Number.isFinite(expires) && expires > now;
}

function time(iso: string | null): number {
  const value = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(value) ? value : 0;
}

/**
 * Whether a conversation belongs in the list under the current filters, as far as the UI
 * can tell (the server's list is the authority; this only decides live insertions/removals).
 */
export function matchesFilters(conversation: ConversationSummary, filters: InboxFilters, meId: string): boolean {
  if (filters.status && conversation.status !== filters.status) {
    return false;
  }
  if (filters.channelId && conversation.channel.id !== filters.channelId) {
    return false;
  }
  if (filters.view === 'mine' && conversation.assignee?.id !== meId) {
    return false;
  }
  if (filters.view === 'unassigned' && conversation.assignee) {
    return false;
  }
  const q = filters.q.trim().toLowerCase();
  if (q) {
    const digits = q.replace(/[^0-9]/g, '');
    const name = (conversation.contact.profileName ?? '').toLowerCase();
    const byName = name.includes(q);
    const byNumber = digits.length > 0 && (conversation.contact.waId ?? '').replace(/[^0-9]/g, '').includes(digits);
    if (!byName && !byNumber) {
      return false;
    }
  }
  return true;
}

/** Newest activity first (the list's order). */
function byActivity(a: ConversationSummary, b: ConversationSummary): number {
  return time(b.lastMessageAt) - time(a.lastMessageAt);
}

/**
 * Puts a conversation into the list: replaced in place, moved to the top when its last
 * message is newer than the current top, inserted by activity when new, or removed when it
 * no longer matches the filters (unless it is the open one and already listed, which stays).
 * An open conversation that does not match is never added: opening one by its link must not
 * make it look like the user's own.
 */
export function upsertConversation(
  list: ConversationSummary[],
  conversation: ConversationSummary,
  options: { filters: InboxFilters; meId: string; keepId: string | null },
): ConversationSummary[] {
  const index = list.findIndex((item) => item.id === conversation.id);
  const fits = matchesFilters(conversation, options.filters, options.meId) || (index >= 0 && conversation.id === options.keepId);
  if (!fits) {
    return index >= 0 ? list.filter((item) => item.id !== conversation.id) : list;
  }
  const previous = index >= 0 ? list[index] : undefined;
  if (previous && time(conversation.lastMessageAt) <= time(previous.lastMessageAt)) {
    const next = list.slice();
    next[index] = conversation;
    return next;
  }
  const rest = index >= 0 ? list.filter((item) => item.id !== conversation.id) : list;
  const at = rest.findIndex((item) => byActivity(conversation, item) <= 0);
  return at < 0 ? [...rest, conversation] : [...rest.slice(0, at), conversation, ...rest.slice(at)];
}

/** A conversation summary after a new message (the server's `conversation.updated` may follow). */
export function withMessage(conversation: ConversationSummary, message: Message, preview: string, countUnread: boolean): ConversationSummary {
  const newer = time(message.createdAt) >= time(conversation.lastMessageAt);
  const inbound = message.direction === 'in';
  return {
    ...conversation,
    lastMessageAt: newer ? message.createdAt : conversation.lastMessageAt,
    lastMessagePreview: newer ? preview : conversation.lastMessagePreview,
    lastMessageDirection: newer ? message.direction : conversation.lastMessageDirection,
    lastMessageAuthor: !newer
      ? conversation.lastMessageAuthor
      : message.direction === 'out' && message.author.id
        ? { id: message.author.id, name: message.author.name }
        : null,
    // A customer message opens (or extends) the 24-hour window.
    windowExpiresAt:
      inbound && time(message.createdAt) + WINDOW_MS > time(conversation.windowExpiresAt)
        ? new Date(time(message.createdAt) + WINDOW_MS).toISOString()
        : conversation.windowExpiresAt,
    unreadCount: inbound && countUnread ? conversation.unreadCount + 1 : conversation.unreadCount,
    // The customer waits from their latest message until someone answers.
    waitingSince: !newer ? conversation.waitingSince : inbound ? message.createdAt : null,
  };
}

/** Fills fields a server may leave out, so rendering never trips on them. */
export function normalizeMessage(raw: Message): Message {
  return {
    ...raw,
    text: raw.text ?? null,
    content: raw.content ?? {},
    media: raw.media ?? null,
    replyTo: raw.replyTo ?? null,
    reactions: Array.isArray(raw.reactions) ? raw.reactions : [],
    author: raw.author ?? { type: raw.direction === 'in' ? 'customer' : 'agent', id: null, name: null },
    statusTimes: raw.statusTimes ?? {},
    error: raw.error ?? null,
    sentAt: raw.sentAt ?? null,
  };
}

const STATUS_RANK: Record<MessageStatus, number> = { received: 0, queued: 1, sent: 2, delivered: 3, read: 4, failed: 5, played: 6 };

/** Statuses only move forward (a late `delivered` never hides `read`); `failed` always shows. */
export function laterStatus(current: MessageStatus, incoming: MessageStatus): MessageStatus {
  return (STATUS_RANK[incoming] ?? 0) >= (STATUS_RANK[current] ?? 0) ? incoming : current;
}

export function applyStatus(message: Message, update: { status: MessageStatus; statusTimes: StatusTimes; error: MessageError | null }): Message {
  const status = laterStatus(message.status, update.status);
  return {
    ...message,
    status,
    statusTimes: { ...message.statusTimes, ...update.statusTimes },
    error: status === 'failed' ? (update.error ?? message.error) : message.error,
  };
}

/**
 * Two copies of one message (the POST answer and the event stream, or a re-sent message
 * carrying new reactions): the newer copy's fields, with the furthest status of the two.
 */
function combine(current: Message, incoming: Message): Message {
  const status = laterStatus(current.status, incoming.status);
  return {
    ...incoming,
    status,
    statusTimes: { ...current.statusTimes, ...incoming.statusTimes },
    error: status === 'failed' ? (incoming.error ?? current.error) : null,
  };
}

/** Sets (or, with '', removes) one side's reaction on a message: one reaction per side. */
export function withReaction(message: Message, emoji: string, direction: Message['direction']): Message {
  const others = message.reactions.filter((reaction) => reaction.direction !== direction);
  return { ...message, reactions: emoji ? [...others, { emoji, direction }] : others };
}

/** The message a reaction-type message reacts to, when it names one of ours. */
export function reactionTarget(message: Message): { targetId: string; emoji: string } | null {
  if (message.type !== 'reaction') {
    return null;
  }
  const targetId =
    pick(message.content, 'messageId') ?? pick(message.content, 'message_id') ?? pick(message.content, 'reaction', 'message_id');
  const emoji = pick(message.content, 'emoji') ?? pick(message.content, 'reaction', 'emoji') ?? message.text ?? '';
  return targetId ? { targetId, emoji } : null;
}

/**
 * Adds messages to a history, folding reaction-type messages into the message they react to
 * (when it is loaded) instead of showing them as bubbles of their own.
 */
export function addMessages(existing: Message[], incoming: Message[]): Message[] {
  let history = existing;
  const plain: Message[] = [];
  for (const raw of incoming) {
    const message = normalizeMessage(raw);
    const reaction = reactionTarget(message);
    if (reaction) {
      const at = history.findIndex((item) => item.id === reaction.targetId);
      if (at >= 0) {
        history = history.slice();
        history[at] = withReaction(history[at] as Message, reaction.emoji, message.direction);
      }
      continue;
    }
    plain.push(message);
  }
  return mergeMessages(history, plain);
}

function byCreated(a: Message, b: Message): number {
  return time(a.createdAt) - time(b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Merges messages into a history (oldest first), de-duplicated by id. */
export function mergeMessages(existing: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) {
    return existing;
  }
  const last = existing[existing.length - 1];
  const ids = new Map(existing.map((message, index) => [message.id, index]));
  // The usual case, one new message at the end, without re-sorting.
  if (incoming.length === 1) {
    const [message] = incoming as [Message];
    const at = ids.get(message.id);
    if (at !== undefined) {
      const next = existing.slice();
      next[at] = combine(existing[at] as Message, message);
      return next;
    }
    if (!last || byCreated(last, message) <= 0) {
      return [...existing, message];
    }
  }
  const byId = new Map(existing.map((message) => [message.id, message]));
  for (const message of incoming) {
    const current = byId.get(message.id);
    byId.set(message.id, current ? combine(current, message) : message);
  }
  return [...byId.values()].sort(byCreated);
}

/** Reads a string from a nested object path, for message `content` of unknown shape. */
export function pick(value: unknown, ...path: string[]): string | null {
  let current: unknown = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) {
      return null;
    }
    current = (current as Record<string, unknown>)[key];
  }
  if (typeof current === 'string' && current.trim()) {
    return current;
  }
  return typeof current === 'number' ? String(current) : null;
}

/** Raster formats the browser shows as `<img>`; anything else (SVG included) is a download. */
const SAFE_IMAGES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/bmp']);

export function isSafeImage(mimeType: string): boolean {
  return SAFE_IMAGES.has(mimeType.split(';')[0]?.trim().toLowerCase() ?? '');
}

export function isMime(mimeType: string, kind: 'audio' | 'video'): boolean {
  return mimeType.toLowerCase().startsWith(`${kind}/`);
}

/** A template body with `{{1}}`... replaced by the given parameters (empty ones stay visible). */
export function fillTemplate(body: string, parameters: string[]): string {
  return body.replace(/\{\{\s*(\d+)\s*\}\}/g, (match, n: string) => parameters[Number(n) - 1]?.trim() || match);
}
