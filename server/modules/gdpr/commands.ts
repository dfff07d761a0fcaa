import type { Readable } from 'node:stream';
import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { subjectHash } from '../../lib/keyedHash';
import type { Services } from '../../services';
import { buildArchive } from './archive';
import { addMonths, dueAfterReceipt } from './deadlines';
import { openRequest } from './erasure';
import { contactMessages, contactNotes, findContact, findRequest, insertRequest, labelNames, listRequests, updateRequest, type RequestListRow } from './repo';
import type { CreateRequestInput, ExtendRequestInput } from './schema';

type Deps = Pick<Services, 'db' | 'audit' | 'media' | 'masterKey'>;

/** Where a request's archive is kept in the media store (the exports area). */
export const archiveKey = (requestId: string) => `exports/gdpr/${requestId}.zip`;

/** Logs a request against a contact; its deadline is one month after receipt. Audited by ids only. */
export async function createRequest(s: Deps, actor: Actor, input: CreateRequestInput): Promise<RequestListRow> {
  const receivedAt = input.receivedAt ? new Date(input.receivedAt) : new Date();
  if (receivedAt.getTime() > Date.now() + 60_000) {
    throw errors.validation('A request cannot be received in the future.', { fields: [{ path: 'body.receivedAt', message: 'in the future' }] });
  }
  return s.db.transaction(async (trx) => {
    const contact = await findContact(trx, input.contactId);
    if (!contact) {
      throw errors.validation('No such customer.', { fields: [{ path: 'body.contactId', message: 'unknown contact', code: 'not_found' }] });
    }
    const id = newId();
    const hash = subjectHash(s.masterKey, contact.wa_id);
    await insertRequest(trx, { id, type: input.type, contact_id: contact.id, subject_hash: hash, received_at: receivedAt, due_at: dueAfterReceipt(receivedAt), created_by: actor.id });
    await s.audit.appendIn(trx, actor, [{ action: 'gdpr.request_created', subjectType: 'GdprRequest', subjectId: id, details: { type: input.type, contactId: contact.id } }]);
    return (await listRequests(trx, 'all', id))[0]!;
  });
}

/** Extends an open request's deadline once, by one or two further months, with the reason kept on the request. */
export async function extendRequest(s: Deps, actor: Actor, id: string, input: ExtendRequestInput): Promise<RequestListRow> {
  return s.db.transaction(async (trx) => {
    const request = await openRequest(s, trx, actor, id);
    if (request.extended_due_at) {
      await s.audit.record(actor, { action: 'access.denied', subjectType: 'GdprRequest', subjectId: id, details: { reason: 'already_extended' } });
      throw errors.conflict('This request was already extended.', { reason: 'already_extended' });
    }
    const extended = addMonths(request.due_at, input.months);
    await updateRequest(trx, id, { extended_due_at: extended, extension_reason: input.reason });
    // The reason stays on the request: the staff's text could quote the customer, the audit never does.
    await s.audit.appendIn(trx, actor, [{ action: 'gdpr.request_extended', subjectType: 'GdprRequest', subjectId: id, details: { months: input.months, dueAt: extended.toISOString() } }]);
    return (await listRequests(trx, 'all', id))[0]!;
  });
}

/**
 * Answers an access request: builds the archive from the subject's data as it is now, stores it
 * in the exports area, and completes the request with the archive's SHA-256. The archive is
 * written before the transaction commits; a failed commit leaves an unreferenced file, removed.
 */
export async function exportAccess(s: Deps, actor: Actor, id: string): Promise<RequestListRow> {
  const key = archiveKey(id);
  let written = false;
  try {
    return await s.db.transaction(async (trx) => {
      const request = await openRequest(s, trx, actor, id, 'access');
      const contact = request.contact_id ? await findContact(trx, request.contact_id) : undefined;
      if (!contact) {
        throw errors.conflict('The subject of this request has no data left.');
      }
      const [labels, notes, messages] = await Promise.all([labelNames(trx, contact.label_ids), contactNotes(trx, contact.id), contactMessages(trx, contact.id)]);
      const archive = await buildArchive(s.media, { requestId: id, generatedAt: new Date(), contact, labels, notes, messages });
      written = true;
      const stored = await s.media.putStream(key, archive.stream);
      const media = archive.files.filter((f) => f.path.startsWith('media/')).length;
      const outcome = { files: archive.files.length, messages: messages.length, media, size: stored.size };
      await updateRequest(trx, id, { state: 'completed', archive_key: key, archive_sha256: stored.sha256, outcome, handled_by: actor.id, completed_at: new Date() });
      await s.audit.appendIn(trx, actor, [{ action: 'gdpr.access_exported', subjectType: 'GdprRequest', subjectId: id, details: { contactId: contact.id, sha256: stored.sha256, ...outcome } }]);
      return (await listRequests(trx, 'all', id))[0]!;
    });
  } catch (err) {
    if (written) {
      await s.media.remove(key).catch(() => undefined);
    }
    throw err;
  }
}

/** The stored archive of a request, for download; audited before the first byte leaves. */
export async function openArchive(s: Deps, actor: Actor, id: string): Promise<{ stream: Readable; size: number; sha256: string }> {
  const request = await findRequest(s.db, id);
  if (!request) {
    throw errors.notFound('Request');
  }
  if (!request.archive_key || !request.archive_sha256) {
    throw errors.notFound('Archive');
  }
  const file = await s.media.open(request.archive_key);
  await s.audit.record(actor, { action: 'gdpr.archive_downloaded', subjectType: 'GdprRequest', subjectId: id, details: { sha256: request.archive_sha256 } });
  return { ...file, sha256: request.archive_sha256 };
}
