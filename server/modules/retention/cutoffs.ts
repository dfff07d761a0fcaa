import { DATA_CLASSES, effectiveDays, type DataClass, type PolicyPeriod } from './periods';
import type { Cutoffs } from './repo';

const DAY_MS = 86_400_000;

/** Where a class's expired rows end on each number with a policy of its own, and on the others. */
export function cutoffsFor(policies: PolicyPeriod[], dataClass: DataClass, now: Date): Cutoffs {
  const channels = new Set(policies.filter((p) => p.dataClass === dataClass && p.channelId !== null).map((p) => p.channelId!));
  const at = (channelId: string | null) => new Date(now.getTime() - effectiveDays(policies, dataClass, channelId) * DAY_MS);
  return { byChannel: Object.fromEntries([...channels].map((c) => [c, at(c)])), fallback: at(null) };
}

/** The earliest cutoff of any number: rows older than it are expired everywhere. */
export function earliestCutoff(c: Cutoffs): Date {
  return new Date(Math.min(c.fallback.getTime(), ...Object.values(c.byChannel).map((d) => d.getTime())));
}

/** The latest cutoff of any number: a month starting after it has nothing expired anywhere. */
export function latestCutoff(c: Cutoffs): Date {
  return new Date(Math.max(c.fallback.getTime(), ...Object.values(c.byChannel).map((d) => d.getTime())));
}

/** Every class with its default period, for listings. */
export const ALL_CLASSES = DATA_CLASSES;
