import { isDeepStrictEqual } from 'node:util';

/**
 * "Grant only what you hold": decides whether a set of CASL rules (a role about to be given,
 * or written into a custom role) stays within the rules its author holds. Pure and
 * conservative: it answers true only when it can prove that whatever the granted rules
 * allow, the held ones allow too (checked against CASL's own evaluation by a property test).
 * Both sides must already be interpolated (no `${user.*}` placeholders left).
 */

/** A CASL raw rule, as stored in roles and as `ability.rules` returns it. */
export type CoverageRule = {
  action: string | readonly string[];
  subject?: string | readonly string[];
  conditions?: unknown;
  fields?: string | readonly string[];
  inverted?: boolean;
};

const list = (v: string | readonly string[] | undefined): readonly string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);

type Primitive = string | number | boolean | null;
const isPrimitive = (v: unknown): v is Primitive => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The values a field condition accepts when it is an equality or `$in` of plain values. */
function acceptedValues(cond: unknown): Primitive[] | undefined {
  if (isPrimitive(cond)) {
    return [cond];
  }
  if (!isPlainObject(cond) || Object.keys(cond).length !== 1) {
    return undefined;
  }
  if ('$eq' in cond && isPrimitive(cond.$eq)) {
    return [cond.$eq];
  }
  if ('$in' in cond && Array.isArray(cond.$in) && cond.$in.every(isPrimitive)) {
    return cond.$in;
  }
  return undefined;
}

/** The values a field condition refuses when it is a `$ne` or `$nin` of plain values. */
function refusedValues(cond: unknown): Primitive[] | undefined {
  if (!isPlainObject(cond) || Object.keys(cond).length !== 1) {
    return undefined;
  }
  if ('$ne' in cond && isPrimitive(cond.$ne)) {
    return [cond.$ne];
  }
  if ('$nin' in cond && Array.isArray(cond.$nin) && cond.$nin.every(isPrimitive)) {
    return cond.$nin;
  }
  return undefined;
}

const within = (small: Primitive[], big: Primitive[]) => small.every((v) => big.includes(v));

/**
 * True when the granted condition on one field matches no more than the held one: the same,
 * fewer accepted values (`$in` subset, scalar or array fields alike), or more refused values
 * (`$nin` superset). Anything else (ranges, mixed operators) is not proved, so false.
 */
function fieldNarrower(granted: unknown, held: unknown): boolean {
  if (isDeepStrictEqual(granted, held)) {
    return true;
  }
  const [ga, ha] = [acceptedValues(granted), acceptedValues(held)];
  if (ga && ha) {
    return within(ga, ha);
  }
  const [gr, hr] = [refusedValues(granted), refusedValues(held)];
  if (gr && hr) {
    return within(hr, gr);
  }
  return false;
}

/**
 * Conditions are one AND over fields, so the granted rule is narrower when it restricts
 * every field the held one restricts, each at least as tightly (extra fields only narrow it).
 */
export function conditionsCovered(granted: unknown, held: unknown): boolean {
  if (held === undefined || (isPlainObject(held) && Object.keys(held).length === 0)) {
    return true;
  }
  if (isDeepStrictEqual(granted, held)) {
    return true;
  }
  if (!isPlainObject(granted) || !isPlainObject(held)) {
    return false;
  }
  return Object.entries(held).every(
    ([field, cond]) => !field.startsWith('$') && Object.hasOwn(granted, field) && fieldNarrower(granted[field], cond),
  );
}

/** A rule without fields reaches every field; one with fields only those (same patterns, same reach). */
export function fieldsCovered(granted: CoverageRule['fields'], held: CoverageRule['fields']): boolean {
  if (held === undefined) {
    return true;
  }
  if (granted === undefined) {
    return false;
  }
  const heldFields = list(held);
  return list(granted).every((f) => heldFields.includes(f));
}

const actionCovered = (held: CoverageRule, action: string) =>
  list(held.action).includes('manage') || (action !== 'manage' && list(held.action).includes(action));
const subjectCovered = (held: CoverageRule, subject: string) =>
  list(held.subject).includes('all') || (subject !== 'all' && list(held.subject).includes(subject));

/** Whether an inverted (cannot) rule may apply to some check of (action, subject). */
function mayRestrict(inverted: CoverageRule, action: string, subject: string): boolean {
  const actions = list(inverted.action);
  const subjects = list(inverted.subject);
  const actionOverlaps = action === 'manage' || actions.includes('manage') || actions.includes(action);
  const subjectOverlaps = inverted.subject === undefined || subject === 'all' || subjects.includes('all') || subjects.includes(subject);
  return actionOverlaps && subjectOverlaps;
}

/**
 * CASL lets the last-defined matching rule decide. So a held rule covers a granted one only
 * if no `cannot` rule defined after it could apply to the same action and subject.
 */
function pairCovered(granted: CoverageRule, action: string, subject: string, held: readonly CoverageRule[]): boolean {
  return held.some(
    (h, k) =>
      !h.inverted &&
      actionCovered(h, action) &&
      subjectCovered(h, subject) &&
      conditionsCovered(granted.conditions, h.conditions) &&
      fieldsCovered(granted.fields, h.fields) &&
      !held.slice(k + 1).some((later) => later.inverted === true && mayRestrict(later, action, subject)),
  );
}

/** Whether one granted `can` rule is covered by the held rules (true for `cannot` rules, which only take away). */
export function ruleCovered(granted: CoverageRule, held: readonly CoverageRule[]): boolean {
  if (granted.inverted) {
    return true;
  }
  const subjects = list(granted.subject);
  if (subjects.length === 0) {
    return false;
  }
  return list(granted.action).every((a) => subjects.every((s) => pairCovered(granted, a, s, held)));
}

/** The granted rules the held ones do not cover; empty when the grant is within the grantor's rights. */
export function uncoveredRules<R extends CoverageRule>(granted: readonly R[], held: readonly CoverageRule[]): R[] {
  return granted.filter((rule) => !ruleCovered(rule, held));
}
