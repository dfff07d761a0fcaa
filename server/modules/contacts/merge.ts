// Merging duplicates: the contact named in the URL is kept (its number stays the one WhatsApp
// messages go to), the other is folded into it and deleted, in one transaction.
import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import type { Services } from '../../services';
import { holdsOnContact } from '../holds';
import { conversationsOf, deleteContactRow, joinConversation, moveConversations, moveNotes, recordAliases } from './mergeRepo';
import { findContact, lockContacts, updateContactRow, type ContactRow } from './repo';

// Consent after a merge: the most restrictive wins (an opt-out is never lost), then an opt-in.
const RESTRICTIVENESS = { out: 2, in: 1, unknown: 0 } as const;

/** What the kept contact becomes: its own values first, the other's where it has none. */
function mergedFields(keep: ContactRow, other: ContactRow): Partial<ContactRow> {
  const consent = RESTRICTIVENESS[other.opt_state] > RESTRICTIVENESS[keep.opt_state] ? other : keep;
  return {
    profile_name: keep.profile_name ?? other.profile_name,
    language: keep.language ?? other.language,
    label_ids: [...new Set([...keep.label_ids, ...other.label_ids])],
    attributes: { ...other.attributes, ...keep.attributes },
    opt_state: consent.opt_state,
    opt_source: consent.opt_source,
    opt_changed_at: consent.opt_changed_at,
    last_inbound_at:
      keep.last_inbound_at && other.last_inbound_at
        ? new Date(Math.max(keep.last_inbound_at.getTime(), other.last_inbound_at.getTime()))
        : (keep.last_inbound_at ?? other.last_inbound_at),
  };
}

export type MergeOutcome = { contact: ContactRow; moved: { conversations: number; conversationsJoined: number; notes: number } };

/**
 * Folds `otherId` into `keepId`: conversations and their messages, notes, labels (union),
 * attributes (the kept contact's win, the other's fill gaps), consent (an opt-out wins). The
 * other's number is kept as an alias (contact_aliases). Refused while a legal hold covers the
 * other contact: moving its messages would move them out of a hold that names it.
 */
export async function mergeContacts(s: Services, actor: Actor, keepId: string, otherId: string): Promise<MergeOutcome> {
  if (keepId === otherId) {
    throw errors.validation('A contact cannot be merged into itself.', { fields: [{ path: 'body.otherId', message: 'the same contact', code: 'same_contact' }] });
  }
  const outcome = await s.db.transaction(async (trx): Promise<MergeOutcome | { heldBy: string[] }> => {
    const locked = await lockContacts(trx, [keepId, otherId]);
    const keep = locked.find((c) => c.id === keepId);
    const other = locked.find((c) => c.id === otherId);
    if (!keep) {
      throw errors.notFound('Contact');
    }
    if (!other) {
      throw errors.validation('The other contact does not exist.', { fields: [{ path: 'body.otherId', message: 'no such contact', code: 'not_found' }] });
    }
    const holds = await holdsOnContact(trx, otherId);
    if (holds.length > 0) {
      return { heldBy: holds.map((h) => h.id) };
    }
    const kept = new Map((await conversationsOf(trx, keepId)).map((c) => [c.channel_id, c.id]));
    const theirs = await conversationsOf(trx, otherId);
    const joined = theirs.filter((c) => kept.has(c.channel_id));
    const moved = theirs.filter((c) => !kept.has(c.channel_id)).map((c) => c.id);
    await moveConversations(trx, moved, keepId);
    for (const c of joined) {
      await joinConversation(trx, c.id, kept.get(c.channel_id)!, keepId);
    }
    const notes = await moveNotes(trx, otherId, keepId);
    await recordAliases(trx, other, keepId);
    await deleteContactRow(trx, otherId);
    await updateContactRow(trx, keepId, mergedFields(keep, other));
    await s.audit.appendIn(trx, actor, [
      {
        action: 'contact.merged', subjectType: 'Contact', subjectId: keepId,
        details: { mergedId: otherId, conversationIds: moved, joinedConversationIds: joined.map((c) => c.id), notes },
      },
    ]);
    return { contact: (await findContact(trx, keepId))!, moved: { conversations: moved.length, conversationsJoined: joined.length, notes } };
  });
  if ('heldBy' in outcome) {
    // A compliance refusal: recorded as denied (ids only), then answered 409.
    await s.audit.record(actor, { action: 'access.denied', subjectType: 'Contact', subjectId: keepId, details: { reason: 'legal_hold', mergedId: otherId, holdIds: outcome.heldBy } });
    throw errors.conflict('A legal hold covers the other contact: it cannot be merged while the hold is active.', { holdIds: outcome.heldBy });
  }
  return outcome;
}
