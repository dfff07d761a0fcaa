// What admins define for every contact: labels and typed attributes. Deleting either takes it off
// every contact in the same transaction; a type change that stored values would not fit is refused.
import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import {
  countMisfits, deleteAttributeRow, deleteLabelRow, findAttribute, insertAttribute, insertLabel, labelNameTaken, listLabels, updateAttributeRow, updateLabelRow,
  type AttributeRow, type LabelRow,
} from './repo';
import type { CreateAttributeInput, UpdateAttributeInput } from './schema';

const DEFAULT_COLOR = '#6b7280';

export async function createLabel(s: Services, actor: Actor, input: { name: string; color?: string }): Promise<LabelRow> {
  return s.db.transaction(async (trx) => {
    if (await labelNameTaken(trx, input.name)) {
      throw errors.taken('A label already has this name.', 'body.name');
    }
    const label = { id: newId(), name: input.name, color: (input.color ?? DEFAULT_COLOR).toLowerCase() };
    await insertLabel(trx, label);
    await s.audit.appendIn(trx, actor, [{ action: 'label.created', subjectType: 'Label', subjectId: label.id, details: { name: label.name } }]);
    return label;
  });
}

export async function updateLabel(s: Services, actor: Actor, id: string, patch: { name?: string; color?: string }): Promise<LabelRow> {
  return s.db.transaction(async (trx) => {
    if (patch.name && (await labelNameTaken(trx, patch.name, id))) {
      throw errors.taken('A label already has this name.', 'body.name');
    }
    const values = { ...patch, ...(patch.color ? { color: patch.color.toLowerCase() } : {}) };
    if (!(await updateLabelRow(trx, id, values))) {
      throw errors.notFound('Label');
    }
    await s.audit.appendIn(trx, actor, [{ action: 'label.updated', subjectType: 'Label', subjectId: id, details: { fields: Object.keys(patch), ...(patch.name ? { name: patch.name } : {}) } }]);
    return (await listLabels(trx, [id]))[0]!;
  });
}

/** Deletes a label and takes it off every contact that carried it (counted in the audit). */
export async function deleteLabel(s: Services, actor: Actor, id: string): Promise<void> {
  await s.db.transaction(async (trx) => {
    const label = (await listLabels(trx, [id]))[0];
    const carried = await deleteLabelRow(trx, id);
    if (carried === null || !label) {
      throw errors.notFound('Label');
    }
    await s.audit.appendIn(trx, actor, [{ action: 'label.deleted', subjectType: 'Label', subjectId: id, details: { name: label.name, contacts: carried } }]);
  });
}

export async function createAttribute(s: Services, actor: Actor, input: CreateAttributeInput): Promise<AttributeRow> {
  return s.db.transaction(async (trx) => {
    if (await findAttribute(trx, input.key)) {
      throw errors.taken('An attribute already has this key.', 'body.key');
    }
    const row: AttributeRow = { key: input.key, name: input.name, type: input.type, options: input.type === 'choice' ? [...new Set(input.options)] : [] };
    await insertAttribute(trx, row);
    await s.audit.appendIn(trx, actor, [{ action: 'contact_attribute.created', subjectType: 'ContactAttribute', subjectId: row.key, details: { key: row.key, type: row.type } }]);
    return row;
  });
}

/**
 * Renames an attribute, changes its type or its options. A type or options change is refused
 * (409, naming how many contacts) while any contact holds a value the new definition would refuse:
 * values are never converted or dropped behind the admin's back.
 */
export async function updateAttribute(s: Services, actor: Actor, key: string, patch: UpdateAttributeInput): Promise<AttributeRow> {
  return s.db.transaction(async (trx) => {
    const before = await findAttribute(trx, key);
    if (!before) {
      throw errors.notFound('Attribute');
    }
    const type = patch.type ?? before.type;
    const options = type === 'choice' ? [...new Set(patch.options ?? before.options)] : [];
    if (type === 'choice' && options.length === 0) {
      throw errors.validation('A choice needs at least one option.', { fields: [{ path: 'body.options', message: 'at least one option', code: 'too_small' }] });
    }
    const misfits = await countMisfits(trx, key, type, options);
    if (misfits > 0) {
      throw errors.conflict(`${misfits} contact(s) hold a value this definition would refuse: change or clear those values first.`, {
        contacts: misfits,
        fields: [{ path: patch.type ? 'body.type' : 'body.options', message: `${misfits} contact(s) hold values that would not fit`, code: 'values_do_not_fit' }],
      });
    }
    const row = { name: patch.name ?? before.name, type, options };
    await updateAttributeRow(trx, key, row);
    await s.audit.appendIn(trx, actor, [
      { action: 'contact_attribute.updated', subjectType: 'ContactAttribute', subjectId: key, details: { key, fields: Object.keys(patch), typeFrom: before.type, typeTo: type } },
    ]);
    return { key, ...row };
  });
}

/** Deletes an attribute definition and its value on every contact (counted in the audit). */
export async function deleteAttribute(s: Services, actor: Actor, key: string): Promise<void> {
  await s.db.transaction(async (trx) => {
    if (!(await findAttribute(trx, key))) {
      throw errors.notFound('Attribute');
    }
    const had = await deleteAttributeRow(trx, key);
    await s.audit.appendIn(trx, actor, [{ action: 'contact_attribute.deleted', subjectType: 'ContactAttribute', subjectId: key, details: { key, contacts: had } }]);
  });
}
