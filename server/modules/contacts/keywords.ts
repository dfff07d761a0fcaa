// Opt-out by keyword: a customer who writes just STOP (or ARRÊT, or any word an admin sets in the
// settings' optOutKeywords) is opted out of marketing, with source 'keyword' and the time.
import { systemActor } from '../../lib/actor';
import type { Services } from '../../services';
import { DEFAULT_SETTINGS } from '../settings/schema';
import { contactsOfConversations, optOutContacts, storedSetting } from './repo';

/** An inbound text just stored, with its conversation (the webhook's outcome). */
export type InboundText = { messageId: string; conversationId: string; text: string };

// No keyword is longer than the setting allows (40 characters); with room for spaces and
// punctuation around it, a longer message cannot be one, and is never read against them.
const KEYWORD_MAX = 40;
const MESSAGE_MAX = KEYWORD_MAX + 10;

/** A word as keywords compare: accents and case dropped, surrounding spaces and punctuation trimmed. */
export function keywordForm(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '');
}

/**
 * Opts out the customers whose message is exactly an opt-out keyword. Called right after the
 * webhook's messages are committed. The settings are read only when some message is short enough
 * to be a keyword, so the hot path pays nothing for long messages. Audited by the system, with ids.
 */
export async function optOutOnKeywords(s: Services, texts: readonly InboundText[]): Promise<string[]> {
  const candidates = texts.filter((t) => t.text.length <= MESSAGE_MAX);
  if (candidates.length === 0) {
    return [];
  }
  const stored = await storedSetting(s.db, 'optOutKeywords');
  const words = Array.isArray(stored) ? stored.map(String) : DEFAULT_SETTINGS.optOutKeywords;
  const keywords = new Set(words.map(keywordForm));
  const hits = candidates.filter((t) => keywords.has(keywordForm(t.text)));
  if (hits.length === 0) {
    return [];
  }
  return s.db.transaction(async (trx) => {
    const contactOf = await contactsOfConversations(trx, hits.map((h) => h.conversationId));
    const changed = await optOutContacts(trx, [...new Set(contactOf.values())], 'keyword');
    if (changed.length === 0) {
      return changed;
    }
    await s.audit.appendIn(
      trx,
      systemActor,
      changed.map((id) => ({
        action: 'contact.opted_out', subjectType: 'Contact', subjectId: id,
        details: { source: 'keyword', messageIds: hits.filter((h) => contactOf.get(h.conversationId) === id).map((h) => h.messageId) },
      })),
    );
    return changed;
  });
}
