import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { contactsByPhone, findHold, insertHold, listHolds, missingScopeIds, releaseHoldRow, type HoldListRow } from './repo';
import type { CreateHoldInput, HoldScope } from './schema';

/** The ids a scope names, for the audit: never names, phone numbers or the search text (it may quote a customer). */
function auditedScope(scope: HoldScope): Record<string, unknown> {
  return {
    contactIds: scope.contactIds ?? [],
    conversationIds: scope.conversationIds ?? [],
    channelIds: scope.channelIds ?? [],
    agentIds: scope.agentIds ?? [],
    from: scope.from ?? null,
    to: scope.to ?? null,
    search: scope.query !== undefined,
  };
}

/** Places a hold; refused (and audited as denied) when it names a contact, conversation, number or agent that does not exist. */
export async function placeHold(s: Services, actor: Actor, input: CreateHoldInput): Promise<HoldListRow> {
  const id = newId();
  const { contactPhones, ...given } = input.scope;
  return s.db.transaction(async (trx) => {
    const phones = (contactPhones ?? []).map((p) => p.replace(/^\+/, ''));
    const byPhone = await contactsByPhone(trx, phones);
    const contactIds = [...new Set([...(given.contactIds ?? []), ...byPhone.values()])];
    const scope: HoldScope = Object.fromEntries(
      Object.entries({ ...given, contactIds: contactIds.length > 0 ? contactIds : undefined }).filter(([, v]) => v !== undefined),
    );
    // Unknown numbers are named by position only: the audit never holds a phone number.
    const unknownPhones = phones.flatMap((p, i) => (byPhone.has(p) ? [] : [i]));
    const missing = [...(await missingScopeIds(trx, scope)), ...unknownPhones.map((i) => `contactPhones.${i}`)];
    if (missing.length > 0) {
      await s.audit.record(actor, { action: 'access.denied', subjectType: 'LegalHold', details: { reason: 'not_found', missing } });
      throw errors.validation('The hold names something that does not exist.', { fields: [{ path: 'body.scope', message: 'Unknown ids', code: 'not_found' }], missing });
    }
    await insertHold(trx, { id, caseRef: input.caseRef, reason: input.reason, scope, by: actor.id });
    await s.audit.appendIn(trx, actor, [
      { action: 'legal_hold.placed', subjectType: 'LegalHold', subjectId: id, details: { caseRef: input.caseRef, scope: auditedScope(scope) } },
    ]);
    return (await listHolds(trx, 'all', id))[0]!;
  });
}

/** Releases an active hold; a released one answers 409. Audited with the case reference. */
export async function releaseHold(s: Services, actor: Actor, id: string, reason: string): Promise<HoldListRow> {
  return s.db.transaction(async (trx) => {
    const hold = await findHold(trx, id);
    if (!hold) {
      throw errors.notFound('Legal hold');
    }
    if (!actor.id) {
      // Only a person releases a hold: the record names who did.
      throw errors.forbidden('Only a signed-in user can release a legal hold.');
    }
    if (!(await releaseHoldRow(trx, id, actor.id, reason))) {
      throw errors.conflict('This hold was already released.');
    }
    await s.audit.appendIn(trx, actor, [{ action: 'legal_hold.released', subjectType: 'LegalHold', subjectId: id, details: { caseRef: hold.case_ref } }]);
    return (await listHolds(trx, 'all', id))[0]!;
  });
}
