import { subject as asSubject } from '@casl/ability';
import { permittedFieldsOf } from '@casl/ability/extra';
import type { AppAbility } from '../authz/ability';
import { maskPhone, numberTypeOf } from './phone';
import type { AttributeRow, ContactRow, LabelRow, NoteRow } from './repo';

/** The fields of a contact as CASL rules name them (`fields: [...]` on `read Contact`). */
export const CONTACT_FIELDS = [
  'id', 'waId', 'profileName', 'country', 'region', 'language', 'labelIds', 'attributes', 'optState', 'optSource', 'optChangedAt', 'lastInboundAt', 'createdAt', 'updatedAt',
] as const;

/** The contact fields this viewer may read (all of them under a rule without `fields`). */
export function readableContactFields(ability: AppAbility): Set<string> {
  return new Set(permittedFieldsOf(ability, 'read', asSubject('Contact', {}), { fieldsFrom: (rule) => rule.fields ?? [...CONTACT_FIELDS] }));
}

/** May this viewer read contacts' phone numbers (`read` on Contact's field `waId`)? */
export function canReadPhone(ability: AppAbility): boolean {
  return ability.can('read', 'Contact', 'waId');
}

/** The phone as this viewer may see it: in clear with `read` on Contact's `waId`, masked otherwise. */
export function phoneFor(ability: AppAbility, waId: string): { waId: string; phoneMasked: boolean } {
  return canReadPhone(ability) ? { waId, phoneMasked: false } : { waId: maskPhone(waId), phoneMasked: true };
}

/** A contact as the API answers it, limited to the fields the viewer reads; the phone masked when withheld. */
export function presentContact(c: ContactRow, ability: AppAbility, labels: Map<string, LabelRow>) {
  const allowed = readableContactFields(ability);
  const full: Record<string, unknown> = {
    profileName: c.profile_name,
    country: c.country,
    region: c.region,
    language: c.language,
    labelIds: c.label_ids,
    attributes: c.attributes,
    optState: c.opt_state,
    optSource: c.opt_source,
    optChangedAt: c.opt_changed_at?.toISOString() ?? null,
    lastInboundAt: c.last_inbound_at?.toISOString() ?? null,
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
  };
  const shown: Record<string, unknown> = Object.fromEntries(Object.entries(full).filter(([k]) => allowed.has(k)));
  // The number's type comes from the number itself: only for those who read it.
  if (allowed.has('waId')) {
    shown.numberType = numberTypeOf(c.wa_id);
  }
  if ('labelIds' in shown) {
    delete shown.labelIds;
    shown.labels = c.label_ids.flatMap((id) => {
      const l = labels.get(id);
      return l ? [{ id: l.id, name: l.name, color: l.color }] : [];
    });
  }
  return { id: c.id, ...phoneFor(ability, c.wa_id), ...shown };
}

export function presentLabel(l: LabelRow) {
  return { id: l.id, name: l.name, color: l.color };
}

export function presentAttribute(a: AttributeRow) {
  return { key: a.key, name: a.name, type: a.type, options: a.options };
}

export function presentNote(n: NoteRow) {
  return {
    id: n.id, body: n.body, author: n.author_id ? { id: n.author_id, name: n.author_name ?? '' } : null,
    createdAt: n.created_at.toISOString(), updatedAt: n.updated_at.toISOString(),
  };
}
