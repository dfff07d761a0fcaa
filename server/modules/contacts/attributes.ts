// Custom attribute values checked against their admin-made definitions, one refusal per field.
import { errors } from '../../lib/errors';
import type { AttributeRow } from './repo';

type Issue = { path: string; message: string; code: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date written YYYY-MM-DD that exists (no 31 February). */
function isDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) {
    return false;
  }
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** Why `value` does not fit the definition, or null when it does. */
function misfit(def: AttributeRow, value: unknown): { message: string; code: string } | null {
  switch (def.type) {
    case 'text':
      return typeof value === 'string' ? null : { message: 'must be text', code: 'not_text' };
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : { message: 'must be a number', code: 'not_number' };
    case 'boolean':
      return typeof value === 'boolean' ? null : { message: 'must be true or false', code: 'not_boolean' };
    case 'date':
      return typeof value === 'string' && isDate(value) ? null : { message: 'must be a date (YYYY-MM-DD)', code: 'not_date' };
    case 'choice':
      return typeof value === 'string' && def.options.includes(value)
        ? null
        : { message: `must be one of: ${def.options.join(', ')}`, code: 'not_an_option' };
    default:
      return { message: 'unknown type', code: 'unknown_type' };
  }
}

/**
 * The contact's attributes after applying `changes` (null removes a value), or a 400
 * validation_failed naming each refused field (`body.attributes.<key>`) and why.
 */
export function applyAttributes(current: Record<string, unknown>, changes: Record<string, unknown>, defs: AttributeRow[]): Record<string, unknown> {
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const issues: Issue[] = [];
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    const path = `body.attributes.${key}`;
    const def = byKey.get(key);
    if (!def) {
      issues.push({ path, message: 'no such attribute: an admin defines attributes first', code: 'unknown_attribute' });
      continue;
    }
    if (value === null) {
      delete next[key];
      continue;
    }
    const wrong = misfit(def, typeof value === 'string' ? value.trim() : value);
    if (wrong) {
      issues.push({ path, ...wrong });
      continue;
    }
    next[key] = typeof value === 'string' ? value.trim() : value;
  }
  if (issues.length > 0) {
    throw errors.validation('Some attributes do not fit their definitions.', { fields: issues });
  }
  return next;
}
