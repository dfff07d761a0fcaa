/** Pure helpers for the roles page: what a role grants, and role rules <-> form state. */
import { createMongoAbility } from '@casl/ability';
import type { MongoAbility, RawRuleOf } from '@casl/ability';
import type { MessageKey } from './i18n';
import type { CatalogueAction, Locale, RawRule, Role, SubjectLabels } from './types';

export type Grant = 'granted' | 'conditional' | 'denied';
type RoleAbility = MongoAbility<[string, string]>;

/** A CASL ability holding only one role's rules. */
export function roleAbility(rules: RawRule[]): RoleAbility {
  return createMongoAbility<RoleAbility>(rules as RawRuleOf<RoleAbility>[]);
}

/**
 * Whether a role grants an action on a subject type. `can` answers for the type; a rule
 * with conditions or fields (or a conditional exception) grants it only for some rows or
 * fields, which the matrix shows as "conditional".
 */
export function grantOf(ability: RoleAbility, action: string, subject: string): Grant {
  if (!ability.can(action, subject)) {
    return 'denied';
  }
  const rule = ability.relevantRuleFor(action, subject);
  if (rule?.conditions || rule?.fields) {
    return 'conditional';
  }
  const exception = ability.rulesFor(action, subject).some((candidate) => candidate.inverted && (candidate.conditions || candidate.fields));
  return exception ? 'conditional' : 'granted';
}

/** A role's name and description in the panel's language: a built-in role's shipped texts, a custom role's own. */
export function roleTexts(role: Role, lang: Locale): { name: string; description: string } {
  return role.translations?.[lang] ?? { name: role.name, description: role.description };
}

/** A subject's name in the panel's language; its key when the catalogue names it in none. */
export function subjectName(subjects: SubjectLabels, subject: string, lang: Locale): string {
  const labels = Object.prototype.hasOwnProperty.call(subjects, subject) ? subjects[subject] : undefined;
  return labels?.[lang] || labels?.en || subject;
}

/** Catalogue entries grouped by subject, in catalogue order. */
export function groupBySubject(actions: CatalogueAction[]): [string, CatalogueAction[]][] {
  const groups = new Map<string, CatalogueAction[]>();
  for (const entry of actions) {
    const group = groups.get(entry.subject) ?? [];
    group.push(entry);
    groups.set(entry.subject, group);
  }
  return [...groups.entries()];
}

function isPlain(rule: RawRule): rule is RawRule & { action: string; subject: string } {
  return (
    typeof rule.action === 'string' &&
    typeof rule.subject === 'string' &&
    !rule.conditions &&
    !rule.fields &&
    !rule.inverted &&
    !rule.reason
  );
}

/** Splits a role's rules into catalogue checkboxes and the rest (shown as JSON). */
export function splitRules(rules: RawRule[], catalogue: CatalogueAction[]): { checked: string[]; advanced: RawRule[] } {
  const checked: string[] = [];
  const advanced: RawRule[] = [];
  for (const rule of rules) {
    const entry = isPlain(rule)
      ? catalogue.find((candidate) => candidate.action === rule.action && candidate.subject === rule.subject)
      : undefined;
    if (entry) {
      checked.push(entry.key);
    } else {
      advanced.push(rule);
    }
  }
  return { checked, advanced };
}

export type ParsedRules = { ok: true; rules: RawRule[] } | { ok: false; error: MessageKey; index?: number };

function isStringOrList(value: unknown): boolean {
  return typeof value === 'string' || (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string'));
}

function isRawRule(value: unknown): value is RawRule {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const rule = value as Record<string, unknown>;
  const conditionsOk = rule.conditions === undefined || (typeof rule.conditions === 'object' && rule.conditions !== null && !Array.isArray(rule.conditions));
  const fieldsOk = rule.fields === undefined || isStringOrList(rule.fields);
  const invertedOk = rule.inverted === undefined || typeof rule.inverted === 'boolean';
  const reasonOk = rule.reason === undefined || typeof rule.reason === 'string';
  return isStringOrList(rule.action) && isStringOrList(rule.subject) && conditionsOk && fieldsOk && invertedOk && reasonOk;
}

function first(value: string | string[]): string | undefined {
  return typeof value === 'string' ? value : value[0];
}

/** Parses the advanced JSON box: empty means no extra rules. */
export function parseAdvancedRules(text: string): ParsedRules {
  if (!text.trim()) {
    return { ok: true, rules: [] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'roles.rulesInvalidJson' };
  }
  if (!Array.isArray(value)) {
    return { ok: false, error: 'roles.rulesNotArray' };
  }
  const bad = value.findIndex((item) => !isRawRule(item));
  if (bad >= 0) {
    return { ok: false, error: 'roles.rulesBadRule', index: bad + 1 };
  }
  try {
    // Let CASL compile the conditions now, so an unknown operator is caught before saving.
    for (const raw of value as RawRule[]) {
      const [action = '', subject = ''] = [first(raw.action), first(raw.subject)];
      for (const rule of roleAbility([raw]).rulesFor(action, subject)) {
        void rule.ast;
      }
    }
  } catch {
    return { ok: false, error: 'roles.rulesBadConditions' };
  }
  return { ok: true, rules: value as RawRule[] };
}

/** The rules a role form produces: one plain rule per checked action, then the JSON ones. */
export function buildRules(checked: string[], catalogue: CatalogueAction[], advanced: RawRule[]): RawRule[] {
  const plain = catalogue
    .filter((entry) => checked.includes(entry.key))
    .map((entry): RawRule => ({ action: entry.action, subject: entry.subject }));
  return [...plain, ...advanced];
}
