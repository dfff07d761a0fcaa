/** Wording for message types, authors and statuses, shared by the list and the history. */
import type { I18n, MessageKey } from '../../i18n';
import { pick } from '../../inbox';
import type { ConversationStatus, Message, MessageStatus } from '../../types';

const TYPE_LABELS: Record<string, MessageKey> = {
  image: 'inbox.type.image',
  sticker: 'inbox.type.sticker',
  audio: 'inbox.type.audio',
  video: 'inbox.type.video',
  document: 'inbox.type.document',
  location: 'inbox.type.location',
  contacts: 'inbox.type.contacts',
  interactive: 'inbox.type.interactive',
  button: 'inbox.type.button',
  reaction: 'inbox.type.reaction',
  template: 'inbox.type.template',
  media: 'inbox.type.document',
};

/** "Photo", "Voice message"... or "Unsupported message". */
export function typeLabel(type: string, t: I18n['t']): string {
  const key = TYPE_LABELS[type];
  return key ? t(key) : t('inbox.type.unsupported');
}

/** A one-line preview of a message, for the conversation list. */
export function previewOf(message: Message, t: I18n['t']): string {
  const text = message.text?.trim();
  if (text) {
    return message.type === 'text' ? text : `${typeLabel(message.type, t)}: ${text}`;
  }
  if (message.type === 'reaction') {
    return t('inbox.reactedWith', { emoji: pick(message.content, 'emoji') ?? pick(message.content, 'reaction', 'emoji') ?? '' });
  }
  return message.type === 'text' ? '' : typeLabel(message.type, t);
}

export const STATUS_LABELS: Record<MessageStatus, MessageKey> = {
  received: 'inbox.status.received',
  queued: 'inbox.status.queued',
  sent: 'inbox.status.sent',
  delivered: 'inbox.status.delivered',
  read: 'inbox.status.read',
  failed: 'inbox.status.failed',
  played: 'inbox.status.played',
};

export const CONVERSATION_STATUS_LABELS: Record<ConversationStatus, MessageKey> = {
  open: 'inbox.conversationStatus.open',
  pending: 'inbox.conversationStatus.pending',
  resolved: 'inbox.conversationStatus.resolved',
};

/** Who wrote an outbound message: the agent's name, or "Bot", "Broadcast"... */
export function authorLabel(message: Message, t: I18n['t']): string | null {
  const { author } = message;
  if (author.name) {
    return author.name;
  }
  switch (author.type) {
    case 'bot':
      return t('inbox.author.bot');
    case 'broadcast':
      return t('inbox.author.broadcast');
    case 'system':
      return t('inbox.author.system');
    case 'agent':
      return t('inbox.author.agent');
    default:
      return null;
  }
}
