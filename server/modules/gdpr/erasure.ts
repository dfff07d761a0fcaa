// Erasure (GDPR Art. 17): a subject's messages (every partition), their wamid and outbox rows,
// media rows and files, lexicon hits and notes, conversations and the contact itself are deleted
// in one transaction; files go from the store after it commits. The subject's keyed hash goes
// into the erasure ledger, which is re-applied at start-up and after a restore. The audit log is
// not touched (it is append-only and hash-chained): it never held the subject's data in clear.
import type { Trx } from '../../db/knex';
import { systemActor, type Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { subjectHash } from '../../lib/keyedHash';
import type { Services } from '../../services';
import { holdsOnContact } from '../holds';
import { deleteMessageCompanions, deleteOrphanMedia, lockHolds } from '../retention';
import {
  archivesOfContact, contactPage, expireArchiveRows, deleteContactMessages, deleteContactRows, findContact, findRequest, ledgerEntries, lockedRetentionCount,
  recordInLedger, restrictContact, updateRequest, type RequestRow,
} from './repo';

type Deps = Pick<Services, 'db' | 'audit' | 'media' | 'masterKey' | 'log'>;

export type ErasureCounts = { messages: number; media: number; conversations: number; notes: number; archives: number };

/** Deletes everything of one contact in the caller's transaction; returns the counts and the store keys to remove after commit. */
async function eraseContactIn(trx: Trx, contact: { id: string; wa_id: string }): Promise<{ counts: ErasureCounts; keys: string[] }> {
  const messages = await deleteContactMessages(trx, contact.id);
  if (messages.length > 0) {
    await deleteMessageCompanions(trx, messages);
  }
  const media = await deleteOrphanMedia(trx, [...new Set(messages.map((m) => m.media_id).filter((id): id is string => id !== null))]);
  const archives = await archivesOfContact(trx, contact.id);
  const rows = await deleteContactRows(trx, contact);
  const keys = [...media.map((m) => m.storage_key), ...archives].filter((k): k is string => k !== null);
  return { counts: { messages: messages.length, media: media.length, conversations: rows.conversations, notes: rows.notes, archives: archives.length }, keys };
}

async function removeFiles(s: Pick<Deps, 'media' | 'log'>, keys: string[]): Promise<void> {
  for (const key of keys) {
    try {
      await s.media.remove(key);
    } catch (err) {
      // The rows are gone; a file left behind is logged (by key, never by subject) for the operator.
      s.log.error({ err: (err as Error).message, key }, 'erasure could not remove a file from the media store');
    }
  }
}

/** Why an erasure must be refused now, if it must: an active legal hold, or a locked retention period still running. */
async function refusalFor(trx: Trx, contactId: string): Promise<{ reason: 'legal_hold' | 'retention_locked'; details: Record<string, unknown> } | null> {
  const holds = await holdsOnContact(trx, contactId);
  if (holds.length > 0) {
    return { reason: 'legal_hold', details: { holdIds: holds.map((h) => h.id), caseRefs: holds.map((h) => h.case_ref) } };
  }
  const locked = await lockedRetentionCount(trx, contactId);
  if (locked > 0) {
    return { reason: 'retention_locked', details: { lockedMessages: locked } };
  }
  return null;
}

/**
 * Answers an open erasure request. Refused (409 `erasure_refused`, with its reason) while a legal
 * hold covers the subject or a locked retention period still requires their messages: the
 * request is then closed as refused and the contact restricted (Art. 18), which commits and is
 * audited before the refusal is answered.
 */
export async function eraseForRequest(s: Deps, actor: Actor, requestId: string): Promise<RequestRow> {
  type Outcome = { done: RequestRow; keys: string[] } | { refused: { reason: string; details: Record<string, unknown> } };
  const outcome = await s.db.transaction(async (trx): Promise<Outcome> => {
    const request = await openRequest(s, trx, actor, requestId, 'erasure');
    // No hold may be placed between the check and the deletes.
    await lockHolds(trx);
    const contact = request.contact_id ? await findContact(trx, request.contact_id, { forUpdate: true }) : undefined;
    if (!contact) {
      throw errors.conflict('The subject of this request has no data left to erase.');
    }
    const refusal = await refusalFor(trx, contact.id);
    if (refusal) {
      await restrictContact(trx, contact.id, refusal.reason);
      await updateRequest(trx, request.id, { state: 'refused', refusal_reason: refusal.reason, outcome: refusal.details, handled_by: actor.id, completed_at: new Date() });
      await s.audit.appendIn(trx, actor, [{
        action: 'gdpr.erasure_refused', subjectType: 'GdprRequest', subjectId: request.id,
        details: { reason: refusal.reason, contactId: contact.id, restricted: true, ...refusal.details },
      }]);
      return { refused: refusal };
    }
    const erasedAt = new Date();
    const { counts, keys } = await eraseContactIn(trx, contact);
    await recordInLedger(trx, { subjectHash: request.subject_hash, requestId: request.id, erasedAt });
    await updateRequest(trx, request.id, { state: 'completed', outcome: counts, handled_by: actor.id, completed_at: erasedAt });
    await s.audit.appendIn(trx, actor, [{
      action: 'gdpr.erased', subjectType: 'GdprRequest', subjectId: request.id, details: { contactId: contact.id, subjectHash: request.subject_hash, ...counts },
    }]);
    return { done: (await findRequest(trx, request.id))!, keys };
  });
  if ('refused' in outcome) {
    throw errors.erasureRefused(outcome.refused.reason, outcome.refused.details);
  }
  await removeFiles(s, outcome.keys);
  return outcome.done;
}

/** An open request of the given type, locked; a closed one is refused (409, audited as denied). */
export async function openRequest(s: Pick<Services, 'audit'>, trx: Trx, actor: Actor, id: string, type?: 'access' | 'erasure'): Promise<RequestRow> {
  const request = await findRequest(trx, id, { forUpdate: true });
  if (!request) {
    throw errors.notFound('Request');
  }
  const refuse = async (reason: string, message: string) => {
    await s.audit.record(actor, { action: 'access.denied', subjectType: 'GdprRequest', subjectId: id, details: { reason } });
    return errors.conflict(message, { reason });
  };
  if (request.state !== 'open') {
    throw await refuse('request_closed', 'This request is already closed.');
  }
  if (type && request.type !== type) {
    throw await refuse('wrong_type', `This is not an ${type} request.`);
  }
  return request;
}

/**
 * Retention's `exports` class: access archives of requests completed before the cutoff are
 * removed from the store (the request keeps its SHA-256, as a record that one was given).
 */
export async function expireArchives(s: Pick<Services, 'db' | 'media' | 'log'>, cutoff: Date): Promise<number> {
  const keys = await expireArchiveRows(s.db, cutoff);
  await removeFiles(s, keys);
  return keys.length;
}

export type ReapplyCounts = { subjects: number; contacts: number; messages: number; media: number };

const LEDGER_PAGE = 2000;

/**
 * Re-applies the erasure ledger: every contact whose number's keyed hash is in the ledger and that
 * existed when the subject was erased (a restored backup brings such contacts back) is erased
 * again. A customer who wrote again after the erasure is a new contact (created later) and stays.
 * Held contacts are left (and restricted): the hold wins, as it did for the original erasure.
 * Run at start-up, after a restore, and from the admin's button.
 */
export async function reapplyLedger(s: Deps, actor: Actor, trigger: 'startup' | 'request'): Promise<ReapplyCounts> {
  const ledger = await ledgerEntries(s.db);
  const counts: ReapplyCounts = { subjects: ledger.size, contacts: 0, messages: 0, media: 0 };
  if (ledger.size === 0) {
    return counts;
  }
  const matches: Array<{ id: string; hash: string }> = [];
  for (let after: string | null = null; ;) {
    const page = await contactPage(s.db, after, LEDGER_PAGE);
    for (const c of page) {
      const hash = subjectHash(s.masterKey, c.wa_id);
      const erasedAt = ledger.get(hash);
      if (erasedAt && c.created_at <= erasedAt) {
        matches.push({ id: c.id, hash });
      }
    }
    if (page.length < LEDGER_PAGE) {
      break;
    }
    after = page[page.length - 1]!.id;
  }
  const held: string[] = [];
  for (const match of matches) {
    const keys = await s.db.transaction(async (trx) => {
      await lockHolds(trx);
      const contact = await findContact(trx, match.id, { forUpdate: true });
      if (!contact) {
        return [];
      }
      if ((await holdsOnContact(trx, contact.id)).length > 0) {
        await restrictContact(trx, contact.id, 'legal_hold');
        held.push(contact.id);
        return [];
      }
      const erased = await eraseContactIn(trx, contact);
      counts.contacts += 1;
      counts.messages += erased.counts.messages;
      counts.media += erased.counts.media;
      return erased.keys;
    });
    await removeFiles(s, keys);
  }
  if (trigger === 'request' || counts.contacts > 0 || held.length > 0) {
    await s.audit.record(actor, { action: 'gdpr.ledger_reapplied', subjectType: 'GdprRequest', details: { trigger, ...counts, heldContactIds: held } });
  }
  return counts;
}

/** The start-up re-application: logged, never fatal (the app must come up; the next start or the button tries again). */
export async function reapplyLedgerAtStartup(s: Deps): Promise<void> {
  try {
    const counts = await reapplyLedger(s, systemActor, 'startup');
    if (counts.contacts > 0) {
      s.log.warn({ ...counts }, 'erasure ledger re-applied: erased subjects found again (restored data?) and erased');
    }
  } catch (err) {
    s.log.error({ err: (err as Error).message }, 'erasure ledger could not be re-applied at start-up');
  }
}
