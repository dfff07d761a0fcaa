import type { Services } from '../../services';
import { maskPhone } from '../contacts';
import { messagesByWamid, reactionsFor, type ConversationRow, type listMessages, type MessageRow } from './repo';

// WhatsApp's customer-service window: 24 hours from the customer's last message.
export const WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * A conversation as the inbox list and header show it. The contact's number follows the contacts'
 * field rule: in clear for viewers who may read Contact's `waId` (canReadPhone), masked otherwise.
 */
export function presentConversation(c: ConversationRow, showPhone: boolean) {
  return {
    id: c.id,
    status: c.status,
    channel: { id: c.channel_id, name: c.channel_name, displayNumber: c.channel_display_number },
    contact: { id: c.contact_id, waId: showPhone ? c.wa_id : maskPhone(c.wa_id), phoneMasked: !showPhone, profileName: c.profile_name, country: c.country, restricted: c.restricted_at !== null },
    assignee: c.assignee_id ? { id: c.assignee_id, name: c.assignee_name } : null,
    teamId: c.team_id,
    lastMessageAt: c.last_message_at?.toISOString() ?? null,
    lastMessagePreview: c.last_message_preview,
    lastMessageDirection: c.last_message_direction,
    // Named only while the last message is outbound: an inbound one is the customer's.
    lastMessageAuthor: c.last_message_direction === 'out' && c.last_message_author_id ? { id: c.last_message_author_id, name: c.last_message_author_name } : null,
    windowExpiresAt: c.last_inbound_at ? new Date(c.last_inbound_at.getTime() + WINDOW_MS).toISOString() : null,
    unreadCount: c.unread_count,
    waitingSince: c.last_message_direction === 'in' ? (c.last_inbound_at?.toISOString() ?? null) : null,
  };
}

/** Someone the conversation may be handed to: no more than the assign list shows. */
export function presentAssignee(u: { id: string; name: string }) {
  return { id: u.id, name: u.name };
}

export type PresentedMessage = ReturnType<typeof presentMessage>;

/** A message as the conversation view shows it; text only, never the raw webhook payload. */
export function presentMessage(
  m: MessageRow,
  extras: { replyTo?: { id: string; text: string | null } | null; reactions?: Array<{ emoji: string; direction: 'in' | 'out' }> } = {},
) {
  return {
    id: m.id,
    direction: m.direction,
    type: m.type,
    text: m.text,
    content: m.content,
    media: m.media_id
      ? { id: m.media_id, mimeType: m.media_mime_type, size: m.media_size, filename: m.media_filename, state: m.media_state, url: `/api/v1/media/${m.media_id}` }
      : null,
    replyTo: extras.replyTo ?? null,
    reactions: extras.reactions ?? [],
    author: { type: m.author_type, id: m.author_id, name: m.author_name },
    status: m.status,
    statusTimes: m.status_times,
    error: m.error ? { code: m.error.code, title: m.error.title, details: m.error.details ?? null } : null,
    createdAt: m.created_at.toISOString(),
    // WhatsApp's own timestamp: for an inbound message, the customer's time of sending, which
    // may be well before it reached us (a phone offline, Meta retrying a webhook).
    sentAt: m.sent_at?.toISOString() ?? null,
  };
}

/** Presents a page of messages with their reply quotes and reactions. */
export async function presentMessages(s: Services, conversationId: string, rows: Awaited<ReturnType<typeof listMessages>>, opts: { fresh?: boolean } = {}) {
  const visible = rows.filter((m) => m.type !== 'reaction');
  const contexts = await messagesByWamid(s.db, conversationId, visible.flatMap((m) => (m.context_wamid ? [m.context_wamid] : [])));
  // A message that has just arrived cannot have reactions yet.
  const reactions = opts.fresh ? [] : await reactionsFor(s.db, conversationId, visible.flatMap((m) => (m.wamid ? [m.wamid] : [])));
  return visible.map((m) => {
    const quoted = m.context_wamid ? contexts.find((c) => c.wamid === m.context_wamid) : undefined;
    // The latest reaction per side wins; an empty emoji removes it.
    const latest = new Map<string, string>();
    for (const r of reactions.filter((r) => r.context_wamid === m.wamid)) {
      latest.set(r.direction, r.emoji ?? '');
    }
    return presentMessage(m, {
      replyTo: quoted ? { id: quoted.id, text: quoted.text } : null,
      reactions: [...latest].filter(([, e]) => e).map(([direction, emoji]) => ({ emoji, direction: direction as 'in' | 'out' })),
    });
  });
}
