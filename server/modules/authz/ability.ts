import { createMongoAbility, type MongoAbility, type RawRuleOf } from '@casl/ability';
import { packRules } from '@casl/ability/extra';
import { catalogue, catalogueSubjects, isCatalogued } from './catalogue';
import type { RawRuleInput } from './schema';

export type AppAbility = MongoAbility;
export type AppRawRule = RawRuleOf<AppAbility>;

/** What rule templates may refer to: `${user.id}`, `${user.teamIds}`. */
export type RuleContext = { user: { id: string; teamIds: string[]; email: string } };

const WHOLE_TEMPLATE = /^\$\{([a-zA-Z.]+)\}$/;
const ANY_TEMPLATE = /\$\{([a-zA-Z.]+)\}/g;

function lookup(ctx: RuleContext, dotted: string): unknown {
  let value: unknown = ctx;
  for (const part of dotted.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) {
      throw new Error(`unknown rule variable \${${dotted}}`);
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * Replaces `${user.*}` placeholders in rule conditions. A string that is exactly one
 * placeholder takes the value itself (so `${user.teamIds}` stays an array for `$in`).
 */
function interpolate(value: unknown, ctx: RuleContext): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_TEMPLATE.exec(value);
    if (whole) {
      return lookup(ctx, whole[1]!);
    }
    return value.replace(ANY_TEMPLATE, (_, name: string) => String(lookup(ctx, name)));
  }
  if (Array.isArray(value)) {
    return value.map((v) => interpolate(v, ctx));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, ctx)]));
  }
  return value;
}

/** Rules with their placeholders filled for one user: what the ability and the UI receive. */
export function interpolateRules(rules: readonly RawRuleInput[], ctx: RuleContext): AppRawRule[] {
  return rules.map((rule) =>
    rule.conditions ? { ...rule, conditions: interpolate(rule.conditions, ctx) as Record<string, unknown> } : { ...rule },
  ) as AppRawRule[];
}

/** One CASL ability for one request. */
export function buildAbility(rules: readonly RawRuleInput[], ctx: RuleContext): AppAbility {
  return createMongoAbility(interpolateRules(rules, ctx));
}

/** The compact form the UI receives once per session. */
export function packForClient(rules: readonly RawRuleInput[], ctx: RuleContext): unknown[] {
  return packRules(interpolateRules(rules, ctx));
}

const ALLOWED_OPERATORS = new Set(['$eq', '$ne', '$in', '$nin', '$lt', '$lte', '$gt', '$gte']);

function checkConditions(conditions: Record<string, unknown>, where: string, problems: string[]): void {
  for (const [field, cond] of Object.entries(conditions)) {
    if (field.startsWith('$')) {
      problems.push(`${where}: operator ${field} is not supported at the top level`);
      continue;
    }
    if (cond !== null && typeof cond === 'object' && !Array.isArray(cond)) {
      for (const op of Object.keys(cond)) {
        if (!ALLOWED_OPERATORS.has(op)) {
          problems.push(`${where}: operator ${op} on ${field} is not supported`);
        }
      }
    }
  }
}

const toList = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

/**
 * Checks custom role rules against the catalogue, so a role can only grant actions the
 * product knows and conditions the SQL filter can express. Returns one line per problem.
 */
export function validateRules(rules: readonly RawRuleInput[]): string[] {
  const problems: string[] = [];
  rules.forEach((rule, i) => {
    const where = `rules[${i}]`;
    for (const subject of toList(rule.subject)) {
      if (subject !== 'all' && !catalogueSubjects.has(subject)) {
        problems.push(`${where}: unknown subject ${subject}`);
        continue;
      }
      for (const action of toList(rule.action)) {
        if (action === 'manage') {
          continue;
        }
        const known =
          subject === 'all' ? catalogue.some((a) => a.action === action) : isCatalogued(subject, action);
        if (!known) {
          problems.push(`${where}: ${subject}:${action} is not in the permission catalogue`);
        }
      }
    }
    if (rule.conditions) {
      checkConditions(rule.conditions, where, problems);
    }
  });
  return problems;
}
