import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { isDeepStrictEqual } from 'node:util';
import { checkAnswer } from './answerCheck';
import { checkRegex } from './safeRegex';
import { bumpRulesVersion, deleteRule, findRule, findSettings, insertRule, lockRule, updateRule, upsertSettings, type RuleRow, type SettingsRow } from './repo';
import type { CreateRuleInput, SettingsInput, UpdateRuleInput } from './schema';
import { normaliseForMatch, type MatchMode } from './match';

/** Refuses keywords that could never match, and regular expressions that are invalid or unsafe (400). */
function checkKeywords(mode: MatchMode, keywords: readonly string[]): void {
  keywords.forEach((keyword, i) => {
    const path = `body.keywords.${i}`;
    if (mode === 'regex') {
      const verdict = checkRegex(keyword);
      if (!verdict.ok) {
        throw errors.unsafeRegex(path, verdict.reason, verdict.message);
      }
    } else if (normaliseForMatch(keyword) === '') {
      throw errors.validation('A keyword has no letters or digits, so it could never match.', { fields: [{ path, message: 'no letters or digits' }] });
    }
  });
}

/** Adds a rule, its answer's references checked first; audited (ids and the rule's own settings, nothing of any customer). */
export async function createRule(s: Services, actor: Actor & { id: string }, input: CreateRuleInput): Promise<RuleRow> {
  checkKeywords(input.mode, input.keywords);
  return s.db.transaction(async (trx) => {
    await checkAnswer(trx, input.answer, input.channelIds, actor.id);
    const id = newId();
    await insertRule(trx, {
      id, name: input.name, enabled: input.enabled, priority: input.priority, mode: input.mode, keywords: input.keywords, channel_ids: input.channelIds,
      cooldown_seconds: input.cooldownSeconds, answer: JSON.stringify(input.answer), created_by: actor.id, answer_by: actor.id,
    });
    await bumpRulesVersion(trx);
    await s.audit.appendIn(trx, actor, [{
      action: 'autoreply.rule_created', subjectType: 'AutoReplyRule', subjectId: id,
      details: { name: input.name, mode: input.mode, priority: input.priority, answer: input.answer.kind, channelIds: input.channelIds },
    }]);
    return (await findRule(trx, id))!;
  });
}

/**
 * Changes a rule; audited with the names of the fields changed. The answer and numbers it ends
 * with are checked. An answer sent back unchanged (the panel sends the whole form) is not
 * rewritten: its file stays its uploader's, so another admin may rename the rule.
 */
export async function changeRule(s: Services, actor: Actor & { id: string }, loaded: RuleRow, input: UpdateRuleInput): Promise<RuleRow> {
  checkKeywords(input.mode ?? loaded.mode, input.keywords ?? loaded.keywords);
  return s.db.transaction(async (trx) => {
    // Locked: two admins saving at once each check the answer the other left, not a stale one.
    const rule = (await lockRule(trx, loaded.id)) ?? loaded;
    const answerWritten = input.answer !== undefined && !isDeepStrictEqual(input.answer, rule.answer);
    const patch: Record<string, unknown> = {};
    const set = (column: string, value: unknown) => value !== undefined && (patch[column] = value);
    set('name', input.name);
    set('enabled', input.enabled);
    set('priority', input.priority);
    set('mode', input.mode);
    set('keywords', input.keywords);
    set('channel_ids', input.channelIds);
    set('cooldown_seconds', input.cooldownSeconds);
    if (answerWritten) {
      set('answer', JSON.stringify(input.answer));
      set('answer_by', actor.id);
    }
    const sender = answerWritten ? actor.id : (rule.answer_by ?? rule.created_by);
    await checkAnswer(trx, input.answer ?? rule.answer, input.channelIds ?? rule.channel_ids, sender);
    await updateRule(trx, rule.id, patch);
    await bumpRulesVersion(trx);
    await s.audit.appendIn(trx, actor, [{ action: 'autoreply.rule_updated', subjectType: 'AutoReplyRule', subjectId: rule.id, details: { name: input.name ?? rule.name, fields: Object.keys(input) } }]);
    return (await findRule(trx, rule.id))!;
  });
}

/** Deletes a rule (its cooldown records go with it); audited. */
export async function removeRule(s: Services, actor: Actor, rule: RuleRow): Promise<void> {
  await s.db.transaction(async (trx) => {
    await deleteRule(trx, rule.id);
    await bumpRulesVersion(trx);
    await s.audit.appendIn(trx, actor, [{ action: 'autoreply.rule_deleted', subjectType: 'AutoReplyRule', subjectId: rule.id, details: { name: rule.name } }]);
  });
}

/** Saves a number's business hours, out-of-office and welcome messages; audited. */
export async function saveSettings(s: Services, actor: Actor, channelId: string, input: SettingsInput): Promise<SettingsRow> {
  if (input.outOfOffice.enabled && Object.keys(input.outOfOffice.texts).length === 0) {
    throw errors.validation('An out-of-office message needs a text in at least one language.', { fields: [{ path: 'body.outOfOffice.texts', message: 'required' }] });
  }
  if (input.welcome.enabled && Object.keys(input.welcome.texts).length === 0) {
    throw errors.validation('A welcome message needs a text in at least one language.', { fields: [{ path: 'body.welcome.texts', message: 'required' }] });
  }
  return s.db.transaction(async (trx) => {
    await upsertSettings(trx, {
      channel_id: channelId, time_zone: input.timeZone, weekly: JSON.stringify(input.weekly), holidays: JSON.stringify([...new Set(input.holidays)].sort()),
      default_language: input.defaultLanguage, out_of_office_enabled: input.outOfOffice.enabled, out_of_office_texts: JSON.stringify(input.outOfOffice.texts),
      welcome_enabled: input.welcome.enabled, welcome_texts: JSON.stringify(input.welcome.texts),
    });
    await s.audit.appendIn(trx, actor, [{
      action: 'autoreply.settings_updated', subjectType: 'Channel', subjectId: channelId,
      details: { timeZone: input.timeZone, slots: input.weekly.length, holidays: input.holidays.length, outOfOffice: input.outOfOffice.enabled, welcome: input.welcome.enabled },
    }]);
    return (await findSettings(trx, channelId))!;
  });
}
