// Retention periods: the data classes, their range, and the rule that picks the period that
// applies to a number (the longest applicable one). Pure, so the planner's rules are unit-tested.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { policiesDir } from '../../lib/paths';

export const DATA_CLASSES = ['messages', 'media', 'inactive_contacts', 'audit', 'exports', 'sessions'] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

/** The classes a period may be set for per number: the others are not tied to one. */
export const PER_NUMBER_CLASSES: readonly DataClass[] = ['messages', 'media'];

/** 30 days to 10 years (10 x 365.25, rounded), as the issue and the migration's CHECK say. */
export const MIN_DAYS = 30;
export const MAX_DAYS = 3653;

/** `90d` or `5y` (a year is 365.25 days, rounded) to days; throws on anything else or out of range. */
export function parsePeriod(text: string): number {
  const match = /^(\d+)([dy])$/.exec(text.trim());
  if (!match) {
    throw new Error(`not a retention period: ${text} (write 90d or 5y)`);
  }
  const n = Number(match[1]);
  const days = match[2] === 'y' ? Math.round(n * 365.25) : n;
  if (days < MIN_DAYS || days > MAX_DAYS) {
    throw new Error(`retention period ${text} is outside ${MIN_DAYS} days to 10 years`);
  }
  return days;
}

/** The shipped defaults (policies/retention.yaml), in days, one per data class. */
export function loadDefaultPeriods(file = path.join(policiesDir, 'retention.yaml')): Record<DataClass, number> {
  const parsed = YAML.parse(readFileSync(file, 'utf8')) as { defaults?: Record<string, string> };
  const defaults = parsed.defaults ?? {};
  const out = {} as Record<DataClass, number>;
  for (const c of DATA_CLASSES) {
    const value = defaults[c];
    if (typeof value !== 'string') {
      throw new Error(`policies/retention.yaml: no default for ${c}`);
    }
    out[c] = parsePeriod(value);
  }
  return out;
}

export type PolicyPeriod = { dataClass: DataClass; channelId: string | null; days: number };

/**
 * The period that applies to a class on a number: the longest of the class's default (no
 * number) and the number's own, so a number's policy can only keep data longer.
 */
export function effectiveDays(policies: PolicyPeriod[], dataClass: DataClass, channelId: string | null): number {
  const applicable = policies.filter((p) => p.dataClass === dataClass && (p.channelId === null || p.channelId === channelId));
  if (applicable.length === 0) {
    throw new Error(`no retention policy for ${dataClass}`);
  }
  return Math.max(...applicable.map((p) => p.days));
}

/** The longest period of a class under any number's policy: a partition older than it has expired everywhere. */
export function longestDays(policies: PolicyPeriod[], dataClass: DataClass): number {
  return Math.max(...policies.filter((p) => p.dataClass === dataClass).map((p) => p.days));
}

/** May a policy go from `before` to `after`? A locked one only lengthens. */
export function changeAllowed(before: { days: number; locked: boolean }, afterDays: number): boolean {
  return !before.locked || afterDays >= before.days;
}
