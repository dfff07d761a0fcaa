import { isOpen, nextOpening } from './hours';
import type { RuleRow, SettingsRow } from './repo';
import type { Answer } from './schema';

/** The id an answer refers to (its file, template or integration), if any. */
export function answerReference(a: Answer): string | null {
  return a.kind === 'media' ? a.mediaId : a.kind === 'template' ? a.templateId : a.kind === 'lookup' ? a.integrationId : null;
}

/** A rule as the API answers it; `names` (repo answerNames) names what its answer refers to. */
export function presentRule(r: RuleRow, names: ReadonlyMap<string, string> = new Map()) {
  const reference = answerReference(r.answer);
  return {
    id: r.id, name: r.name, enabled: r.enabled, priority: r.priority, mode: r.mode, keywords: r.keywords, channelIds: r.channel_ids,
    cooldownSeconds: r.cooldown_seconds, answer: r.answer, answerName: reference === null ? null : (names.get(reference) ?? null),
    createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
  };
}

/** The settings a number has before anyone saves any: always open, nothing sent. */
export function defaultSettings(channelId: string): SettingsRow {
  return {
    channel_id: channelId, time_zone: 'UTC', weekly: [], holidays: [], default_language: 'en',
    out_of_office_enabled: false, out_of_office_texts: {}, welcome_enabled: false, welcome_texts: {}, updated_at: new Date(0),
  };
}

export const hoursOf = (s: SettingsRow) => ({ timeZone: s.time_zone, weekly: s.weekly, holidays: s.holidays });

/** A number's business hours and automatic messages, with whether it is open now. */
export function presentSettings(s: SettingsRow, now: Date) {
  const hours = hoursOf(s);
  const open = isOpen(hours, now);
  const next = open ? null : nextOpening(hours, now);
  return {
    channelId: s.channel_id, timeZone: s.time_zone, weekly: s.weekly, holidays: s.holidays, defaultLanguage: s.default_language,
    outOfOffice: { enabled: s.out_of_office_enabled, texts: s.out_of_office_texts },
    welcome: { enabled: s.welcome_enabled, texts: s.welcome_texts },
    openNow: open, nextOpening: next ? next.toISOString() : null,
  };
}
