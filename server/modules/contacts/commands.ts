// Contact changes: create, update, consent and notes. Each runs in one transaction with its audit
// entry, which names ids and field names only, never a phone, a name, a value or a note's text.
import { subject as asSubject } from '@casl/ability';
import { RowDenied, errors } from '../../lib/errors';
import type { Actor } from '../../lib/actor';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import type { AppAbility } from '../authz/ability';
import type { Trx } from '../../db/knex';
import { applyAttributes } from './attributes';
import { normalisePhone } from './phone';
import {
  contactIdByWaId, deleteNoteRow, findContact, findNote, insertContact, insertNote, listAttributes, listLabels, setConsent, updateContactRow, updateNoteRow,
  type ContactRow, type NoteRow,
} from './repo';
import type { CreateContactInput, UpdateContactInput } from './schema';

/** The label ids, each once, all existing; 400 naming `body.labelIds` otherwise. */
async function checkedLabelIds(trx: Trx, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const found = new Set((await listLabels(trx, unique)).map((l) => l.id));
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw errors.validation('Some labels do not exist.', { fields: [{ path: 'body.labelIds', message: 'unknown labels', code: 'unknown_label' }], missing });
  }
  return unique;
}

/** Creates a contact from a phone number in any usual form; 409 on the field when the number is already a contact. */
export async function createContact(s: Services, actor: Actor, input: CreateContactInput): Promise<ContactRow> {
  const phone = normalisePhone(input.phone, input.defaultCountry);
  if (!phone) {
    throw errors.validation('This is not a valid phone number.', {
      fields: [{ path: 'body.phone', message: 'not a valid number: write it in international form (+33 6 12 34 56 78)', code: 'invalid_phone' }],
    });
  }
  return s.db.transaction(async (trx) => {
    if (await contactIdByWaId(trx, phone.waId)) {
      throw errors.taken('This number is already a contact.', 'body.phone');
    }
    const id = newId();
    const labelIds = await checkedLabelIds(trx, input.labelIds ?? []);
    const attributes = applyAttributes({}, input.attributes ?? {}, await listAttributes(trx));
    await insertContact(trx, {
      id, wa_id: phone.waId, country: phone.country, region: phone.region, profile_name: input.profileName ?? null, language: input.language ?? null,
      label_ids: labelIds, attributes,
    });
    await s.audit.appendIn(trx, actor, [
      { action: 'contact.created', subjectType: 'Contact', subjectId: id, details: { labelIds, attributeKeys: Object.keys(attributes) } },
    ]);
    return (await findContact(trx, id))!;
  });
}

/** Changes a contact's profile name, language, labels or attributes; audited with the fields and label ids changed. */
export async function updateContact(s: Services, actor: Actor, id: string, input: UpdateContactInput): Promise<ContactRow> {
  return s.db.transaction(async (trx) => {
    const before = await findContact(trx, id);
    if (!before) {
      throw errors.notFound('Contact');
    }
    const patch: Partial<ContactRow> = {};
    if (input.profileName !== undefined) {
      patch.profile_name = input.profileName;
    }
    if (input.language !== undefined) {
      patch.language = input.language;
    }
    const details: Record<string, unknown> = { fields: Object.keys(input) };
    if (input.labelIds) {
      patch.label_ids = await checkedLabelIds(trx, input.labelIds);
      details.labelsAdded = patch.label_ids.filter((l) => !before.label_ids.includes(l));
      details.labelsRemoved = before.label_ids.filter((l) => !patch.label_ids!.includes(l));
    }
    if (input.attributes) {
      patch.attributes = applyAttributes(before.attributes, input.attributes, await listAttributes(trx));
      details.attributeKeys = Object.keys(input.attributes);
    }
    await updateContactRow(trx, id, patch);
    await s.audit.appendIn(trx, actor, [{ action: 'contact.updated', subjectType: 'Contact', subjectId: id, details }]);
    return (await findContact(trx, id))!;
  });
}

/** Records the customer's consent (opt-in or opt-out) as an agent set it, now. Setting the current state again changes nothing. */
export async function setContactConsent(s: Services, actor: Actor, id: string, state: 'in' | 'out'): Promise<ContactRow> {
  return s.db.transaction(async (trx) => {
    if (!(await findContact(trx, id))) {
      throw errors.notFound('Contact');
    }
    if (await setConsent(trx, id, state, 'agent')) {
      await s.audit.appendIn(trx, actor, [
        { action: state === 'out' ? 'contact.opted_out' : 'contact.opted_in', subjectType: 'Contact', subjectId: id, details: { source: 'agent' } },
      ]);
    }
    return (await findContact(trx, id))!;
  });
}

export async function addNote(s: Services, actor: Actor, contactId: string, body: string): Promise<NoteRow> {
  return s.db.transaction(async (trx) => {
    if (!(await findContact(trx, contactId))) {
      throw errors.notFound('Contact');
    }
    const id = newId();
    await insertNote(trx, { id, contact_id: contactId, author_id: actor.id, body });
    await s.audit.appendIn(trx, actor, [{ action: 'contact.note_added', subjectType: 'Contact', subjectId: contactId, details: { noteId: id } }]);
    return (await findNote(trx, contactId, id))!;
  });
}

/**
 * A note the actor may change: ContactNote rules decide (the built-in roles let authors edit and
 * delete their own notes, and supervisors delete anyone's). A note on screen but not theirs
 * answers 403 row_action_denied, audited by the pipeline.
 */
async function changeableNote(trx: Trx, ability: AppAbility, action: 'update' | 'delete', contactId: string, noteId: string): Promise<NoteRow> {
  const note = await findNote(trx, contactId, noteId);
  if (!note) {
    throw errors.notFound('Note');
  }
  if (!ability.can(action, asSubject('ContactNote', { id: note.id, authorId: note.author_id }))) {
    throw new RowDenied('ContactNote', action, note.id, true);
  }
  return note;
}

export async function editNote(s: Services, actor: Actor, ability: AppAbility, contactId: string, noteId: string, body: string): Promise<NoteRow> {
  return s.db.transaction(async (trx) => {
    await changeableNote(trx, ability, 'update', contactId, noteId);
    await updateNoteRow(trx, noteId, body);
    await s.audit.appendIn(trx, actor, [{ action: 'contact.note_edited', subjectType: 'Contact', subjectId: contactId, details: { noteId } }]);
    return (await findNote(trx, contactId, noteId))!;
  });
}

export async function deleteNote(s: Services, actor: Actor, ability: AppAbility, contactId: string, noteId: string): Promise<void> {
  await s.db.transaction(async (trx) => {
    const note = await changeableNote(trx, ability, 'delete', contactId, noteId);
    await deleteNoteRow(trx, noteId);
    await s.audit.appendIn(trx, actor, [
      { action: 'contact.note_deleted', subjectType: 'Contact', subjectId: contactId, details: { noteId, authorId: note.author_id } },
    ]);
  });
}
