import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import type { AppAbility } from '../authz/ability';
import { attributeTypes, countSegment, deleteSegment, findSegment, findSegmentByName, insertSegment, updateSegment, type AttributeType, type SegmentRow } from './repo';
import { isoDate, type CreateSegmentInput, type SegmentFilter, type UpdateSegmentInput } from './schema';

// Which conditions make sense on which attribute type, and the value each needs.
const OPS_BY_TYPE: Record<AttributeType, string[]> = {
  text: ['equals', 'contains', 'is_set', 'not_set'],
  choice: ['equals', 'is_set', 'not_set'],
  number: ['equals', 'greater', 'less', 'is_set', 'not_set'],
  date: ['equals', 'before', 'after', 'is_set', 'not_set'],
  boolean: ['equals', 'is_set', 'not_set'],
};

const invalid = (path: string, message: string) => errors.validation(message, { fields: [{ path, message }] });

/**
 * Checks a filter's attribute conditions against the attribute definitions (a condition on an
 * unknown key, or one that does not fit the type, is a 400 naming the condition).
 */
export async function checkFilter(s: Services, filter: SegmentFilter, base = 'body.filter'): Promise<void> {
  const conditions = filter.attributes ?? [];
  if (conditions.length === 0) {
    return;
  }
  const types = await attributeTypes(s.db);
  conditions.forEach((cond, i) => {
    const path = `${base}.attributes.${i}`;
    const def = types.get(cond.key);
    if (!def) {
      throw invalid(`${path}.key`, `There is no contact attribute "${cond.key}".`);
    }
    if (!OPS_BY_TYPE[def.type].includes(cond.op)) {
      throw invalid(`${path}.op`, `A ${def.type} attribute cannot be compared with "${cond.op}".`);
    }
    if (cond.op === 'is_set' || cond.op === 'not_set') {
      return;
    }
    const v = cond.value;
    const fits =
      def.type === 'number' ? typeof v === 'number'
        : def.type === 'boolean' ? typeof v === 'boolean'
          : def.type === 'date' ? typeof v === 'string' && isoDate.safeParse(v).success
            : def.type === 'choice' ? typeof v === 'string' && def.options.includes(v)
              : typeof v === 'string' && v.length > 0;
    if (!fits) {
      throw invalid(`${path}.value`, `The value does not fit the ${def.type} attribute "${cond.key}".`);
    }
  });
}

/** Whether this user may see contacts' phone numbers (exports and previews leave the column empty otherwise). */
export function canSeePhone(ability: AppAbility): boolean {
  return ability.can('read', 'Contact', 'waId');
}

/** How many contacts a filter holds now. */
export async function countFilter(s: Services, filter: SegmentFilter): Promise<number> {
  await checkFilter(s, filter);
  return countSegment(s.db, filter, s.clock());
}

/** Saves a named filter; audited (name and id, the filter holds ids only). */
export async function createSegment(s: Services, actor: Actor & { id: string }, input: CreateSegmentInput): Promise<SegmentRow> {
  await checkFilter(s, input.filter);
  return s.db.transaction(async (trx) => {
    if (await findSegmentByName(trx, input.name)) {
      throw errors.taken(`A segment is already named "${input.name}".`, 'body.name');
    }
    const id = newId();
    await insertSegment(trx, { id, name: input.name, filter: input.filter, created_by: actor.id });
    await s.audit.appendIn(trx, actor, [{ action: 'segment.created', subjectType: 'Segment', subjectId: id, details: { name: input.name } }]);
    return (await findSegment(trx, id))!;
  });
}

/** Renames a segment or changes its filter; audited. */
export async function changeSegment(s: Services, actor: Actor, segment: SegmentRow, input: UpdateSegmentInput): Promise<SegmentRow> {
  if (input.filter) {
    await checkFilter(s, input.filter);
  }
  return s.db.transaction(async (trx) => {
    const other = input.name ? await findSegmentByName(trx, input.name) : undefined;
    if (other && other.id !== segment.id) {
      throw errors.taken(`A segment is already named "${input.name}".`, 'body.name');
    }
    await updateSegment(trx, segment.id, input);
    await s.audit.appendIn(trx, actor, [{
      action: 'segment.updated', subjectType: 'Segment', subjectId: segment.id,
      details: { name: input.name ?? segment.name, renamed: input.name !== undefined && input.name !== segment.name, filterChanged: input.filter !== undefined },
    }]);
    return (await findSegment(trx, segment.id))!;
  });
}

/** Deletes a saved segment (its contacts stay); audited. */
export async function removeSegment(s: Services, actor: Actor, segment: SegmentRow): Promise<void> {
  await s.db.transaction(async (trx) => {
    await deleteSegment(trx, segment.id);
    await s.audit.appendIn(trx, actor, [{ action: 'segment.deleted', subjectType: 'Segment', subjectId: segment.id, details: { name: segment.name } }]);
  });
}

/** Records an export before it streams: the segment (or none for an unsaved filter), the row count, whether phones were included. */
export async function auditExport(s: Services, actor: Actor, segmentId: string | null, filter: SegmentFilter, withPhone: boolean): Promise<number> {
  await checkFilter(s, filter, segmentId ? 'segment.filter' : 'query.filter');
  return s.db.transaction(async (trx) => {
    const count = await countSegment(trx, filter, s.clock());
    await s.audit.appendIn(trx, actor, [{ action: 'segment.exported', subjectType: 'Segment', subjectId: segmentId, details: { rows: count, withPhone } }]);
    return count;
  });
}
