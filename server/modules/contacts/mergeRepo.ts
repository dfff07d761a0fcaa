// The SQL of merging two contacts (merge.ts): conversations, messages and notes move to the kept
// contact; a conversation on a number the kept contact already talks on is joined into its one.
import type { Trx } from '../../db/knex';

export type ConversationRef = { id: string; channel_id: string };

export async function conversationsOf(trx: Trx, contactId: string): Promise<ConversationRef[]> {
  return trx('conversations').where({ contact_id: contactId }).select('id', 'channel_id').orderBy('id').forUpdate();
}

/** Hands whole conversations to the kept contact, with their messages (found by conversation: indexed). */
export async function moveConversations(trx: Trx, ids: string[], toContactId: string): Promise<void> {
  if (ids.length === 0) {
    return;
  }
  await trx('conversations').whereIn('id', ids).update({ contact_id: toContactId, updated_at: trx.fn.now() });
  // messages is partitioned by month: one UPDATE reaches every partition.
  await trx('messages').whereIn('conversation_id', ids).update({ contact_id: toContactId });
}

/**
 * Joins conversation `fromId` into `intoId` (same number, kept contact): its messages and lexicon
 * hits move, the kept one's times and counters take both into account, then `fromId` goes.
 */
export async function joinConversation(trx: Trx, fromId: string, intoId: string, toContactId: string): Promise<void> {
  await trx('messages').where({ conversation_id: fromId }).update({ conversation_id: intoId, contact_id: toContactId });
  await trx('lexicon_hits').where({ conversation_id: fromId }).update({ conversation_id: intoId });
  await trx.raw(
    `UPDATE conversations v SET
        first_inbound_at = LEAST(v.first_inbound_at, f.first_inbound_at),
        first_response_at = LEAST(v.first_response_at, f.first_response_at),
        last_inbound_at = GREATEST(v.last_inbound_at, f.last_inbound_at),
        last_message_preview = CASE WHEN f.last_message_at > v.last_message_at OR v.last_message_at IS NULL THEN f.last_message_preview ELSE v.last_message_preview END,
        last_message_direction = CASE WHEN f.last_message_at > v.last_message_at OR v.last_message_at IS NULL THEN f.last_message_direction ELSE v.last_message_direction END,
        last_message_at = GREATEST(v.last_message_at, f.last_message_at),
        unread_count = v.unread_count + f.unread_count,
        updated_at = now()
       FROM conversations f WHERE v.id = :intoId AND f.id = :fromId`,
    { intoId, fromId },
  );
  await trx('conversations').where({ id: fromId }).delete();
}

export async function moveNotes(trx: Trx, fromContactId: string, toContactId: string): Promise<number> {
  return trx('contact_notes').where({ contact_id: fromContactId }).update({ contact_id: toContactId });
}

/** Keeps the merged contact's number (and the numbers it had itself absorbed) as aliases of the kept one. */
export async function recordAliases(trx: Trx, from: { id: string; wa_id: string }, toContactId: string): Promise<void> {
  await trx.raw(
    `INSERT INTO contact_aliases (contact_id, wa_id, merged_from)
       SELECT :to, wa_id, :from FROM (SELECT :waId::text AS wa_id UNION SELECT wa_id FROM contact_aliases WHERE contact_id = :from) x
     ON CONFLICT DO NOTHING`,
    { to: toContactId, from: from.id, waId: from.wa_id },
  );
}

export async function deleteContactRow(trx: Trx, id: string): Promise<void> {
  await trx('contacts').where({ id }).delete();
}
