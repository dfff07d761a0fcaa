import type { Db, Trx } from '../../db/knex';
import type { Slot } from './hours';
import type { MatchMode } from './match';
import type { Answer } from './schema';

export type RuleRow = {
  id: string;
  name: string;
  enabled: boolean;
  priority: number;
  mode: MatchMode;
  keywords: string[];
  channel_ids: string[];
  cooldown_seconds: number;
  answer: Answer;
  created_by: string | null;
  /** Who last wrote the answer: a file answer is sent as their upload (null: the creator). */
  answer_by: string | null;
  created_at: Date;
  updated_at: Date;
};

export type SettingsRow = {
  channel_id: string;
  time_zone: string;
  weekly: Slot[];
  holidays: string[];
  default_language: string;
  out_of_office_enabled: boolean;
  out_of_office_texts: Record<string, string>;
  welcome_enabled: boolean;
  welcome_texts: Record<string, string>;
  updated_at: Date;
};

/** What the auto-replies need to know of the conversation an inbound message landed in. */
export type InboundContext = {
  conversation_id: string;
  channel_id: string;
  contact_id: string;
  wa_id: string;
  profile_name: string | null;
  language: string | null;
  opt_state: 'unknown' | 'in' | 'out';
};

export type NewSend = { id: string; contact_id: string; channel_id: string; conversation_id: string; kind: 'welcome' | 'out_of_office' | 'rule'; rule_id: string | null; period_end: Date | null; message_id: string | null };

const RULE_ORDER = [{ column: 'priority', order: 'desc' as const }, { column: 'name' }, { column: 'id' }];

/** The version every rule change bumps: what each process compiled its matcher against. */
export async function rulesVersion(conn: Db | Trx): Promise<number> {
  const row = (await conn('autoreply_version').where({ id: 1 }).first('version')) as { version: string } | undefined;
  return Number(row?.version ?? 0);
}

export async function bumpRulesVersion(trx: Trx): Promise<void> {
  await trx('autoreply_version').where({ id: 1 }).increment('version', 1);
}

/** Every enabled rule, for compiling. */
export async function enabledRules(conn: Db | Trx): Promise<RuleRow[]> {
  return conn('autoreply_rules').where({ enabled: true }).orderBy(RULE_ORDER);
}

/** Every rule (the rules page), highest priority first. */
export async function listRules(db: Db): Promise<RuleRow[]> {
  return db('autoreply_rules').orderBy(RULE_ORDER);
}

export async function findRule(conn: Db | Trx, id: string): Promise<RuleRow | undefined> {
  return (await conn('autoreply_rules').where({ id }).first()) as RuleRow | undefined;
}

/** The rule, locked until the transaction ends (a change reads and writes it under the lock). */
export async function lockRule(trx: Trx, id: string): Promise<RuleRow | undefined> {
  return (await trx('autoreply_rules').where({ id }).forUpdate().first()) as RuleRow | undefined;
}

export async function insertRule(trx: Trx, row: Omit<RuleRow, 'created_at' | 'updated_at' | 'answer'> & { answer: string }): Promise<void> {
  await trx('autoreply_rules').insert(row);
}

/** The template a rule's answer names: its account, status and components, to check it can be sent. */
export type AnswerTemplate = { id: string; waba_id: string; name: string; status: string; components: unknown };

export async function findAnswerTemplate(conn: Db | Trx, id: string): Promise<AnswerTemplate | undefined> {
  return (await conn('templates').where({ id }).first('id', 'waba_id', 'name', 'status', 'components')) as AnswerTemplate | undefined;
}

/**
 * The names of what rules' answers refer to, by id: a file's name, a template's name, an
 * integration's name (read when listing, never copied into the rule).
 */
export async function answerNames(conn: Db | Trx, answers: readonly Answer[]): Promise<Map<string, string>> {
  const ids = (kind: Answer['kind'], pick: (a: Answer) => string | undefined) => [...new Set(answers.filter((a) => a.kind === kind).map(pick).filter((v): v is string => v !== undefined))];
  const media = ids('media', (a) => (a.kind === 'media' ? a.mediaId : undefined));
  const templates = ids('template', (a) => (a.kind === 'template' ? a.templateId : undefined));
  const integrations = ids('lookup', (a) => (a.kind === 'lookup' ? a.integrationId : undefined));
  const rows = (await Promise.all([
    media.length ? conn('media').whereIn('id', media).whereNotNull('filename').select('id', 'filename as name') : [],
    templates.length ? conn('templates').whereIn('id', templates).select('id', 'name') : [],
    integrations.length ? conn('integrations').whereIn('id', integrations).select('id', 'name') : [],
  ])) as Array<Array<{ id: string; name: string }>>;
  return new Map(rows.flat().map((r) => [r.id, r.name]));
}

export async function updateRule(trx: Trx, id: string, patch: Record<string, unknown>): Promise<void> {
  await trx('autoreply_rules').where({ id }).update({ ...patch, updated_at: new Date() });
}

export async function deleteRule(trx: Trx, id: string): Promise<void> {
  await trx('autoreply_rules').where({ id }).delete();
}

/** A number's settings, if any were saved. */
export async function findSettings(conn: Db | Trx, channelId: string): Promise<SettingsRow | undefined> {
  return (await conn('autoreply_settings').where({ channel_id: channelId }).first()) as SettingsRow | undefined;
}

/** Several numbers' settings at once (a burst of inbound messages). */
export async function settingsOf(conn: Db | Trx, channelIds: readonly string[]): Promise<SettingsRow[]> {
  return channelIds.length === 0 ? [] : conn('autoreply_settings').whereIn('channel_id', [...new Set(channelIds)]);
}

export async function upsertSettings(trx: Trx, row: Omit<SettingsRow, 'updated_at' | 'weekly' | 'holidays' | 'out_of_office_texts' | 'welcome_texts'> & Record<string, unknown>): Promise<void> {
  await trx('autoreply_settings').insert({ ...row, updated_at: new Date() }).onConflict('channel_id').merge();
}

/** The conversation, channel, contact and language of each conversation, in one query. */
export async function inboundContexts(conn: Db | Trx, conversationIds: readonly string[]): Promise<InboundContext[]> {
  if (conversationIds.length === 0) {
    return [];
  }
  return conn('conversations as v')
    .join('contacts as k', 'k.id', 'v.contact_id')
    .select('v.id as conversation_id', 'v.channel_id', 'v.contact_id', 'k.wa_id', 'k.profile_name', 'k.language', 'k.opt_state')
    .whereIn('v.id', [...new Set(conversationIds)]);
}

/**
 * Locks the conversations a batch of answers goes to, in one order (by id) and before anything
 * else, so two processes' batches and agents' replies never wait on each other in a cycle.
 */
export async function lockConversations(trx: Trx, ids: readonly string[]): Promise<void> {
  await trx.raw('SELECT id FROM conversations WHERE id = ANY(?::uuid[]) ORDER BY id FOR UPDATE', [[...new Set(ids)]]);
}

/** Whether the contact wrote before this message, on any number (else it is their first message ever). */
export async function wroteBefore(conn: Db | Trx, contactId: string, message: { id: string; createdAt: Date }): Promise<boolean> {
  const result = await conn.raw<{ rows: Array<{ found: boolean }> }>(
    `SELECT EXISTS (
       SELECT 1 FROM conversations v JOIN messages m ON m.conversation_id = v.id
        WHERE v.contact_id = ? AND m.direction = 'in' AND (m.created_at, m.id) < (?, ?::uuid)
     ) AS found`,
    [contactId, message.createdAt, message.id],
  );
  return result.rows[0]!.found;
}

/** When each of these rules last answered the contact (for cooldowns). */
export async function lastAnswers(conn: Db | Trx, contactId: string, ruleIds: readonly string[]): Promise<Map<string, Date>> {
  if (ruleIds.length === 0) {
    return new Map();
  }
  const rows = (await conn('autoreply_sends').select('rule_id').max('sent_at as at').where({ contact_id: contactId }).whereIn('rule_id', [...ruleIds]).groupBy('rule_id')) as Array<{ rule_id: string; at: Date }>;
  return new Map(rows.map((r) => [r.rule_id, r.at]));
}

/** When each rule last answered each contact, for the (contact, rule) pairs of a batch: keys `contact:rule`. */
export async function lastAnswersOf(conn: Db | Trx, pairs: ReadonlyArray<{ contactId: string; ruleId: string }>): Promise<Map<string, Date>> {
  if (pairs.length === 0) {
    return new Map();
  }
  const result = await conn.raw<{ rows: Array<{ contact_id: string; rule_id: string; at: Date }> }>(
    `SELECT s.contact_id, s.rule_id, max(s.sent_at) AS at
       FROM autoreply_sends s JOIN unnest(?::uuid[], ?::uuid[]) AS p(contact_id, rule_id) ON s.contact_id = p.contact_id AND s.rule_id = p.rule_id
      GROUP BY s.contact_id, s.rule_id`,
    [pairs.map((p) => p.contactId), pairs.map((p) => p.ruleId)],
  );
  return new Map(result.rows.map((r) => [`${r.contact_id}:${r.rule_id}`, r.at]));
}

/** Records an answer; false when a once-only answer was already given (the unique indexes). */
export async function recordSend(trx: Trx, row: NewSend & { sent_at: Date }): Promise<boolean> {
  const inserted = await trx('autoreply_sends').insert(row).onConflict().ignore().returning('id');
  return inserted.length > 0;
}

/** Conversations resolved in a period, and those of them whose outbound messages were all the bot's. */
export async function resolutionShare(db: Db, from: Date, to: Date): Promise<{ resolved: number; byBot: number }> {
  const result = await db.raw<{ rows: Array<{ resolved: string; by_bot: string }> }>(
    `SELECT count(*) AS resolved,
            count(*) FILTER (WHERE NOT EXISTS (
              SELECT 1 FROM messages m WHERE m.conversation_id = v.id AND m.direction = 'out' AND m.author_type <> 'bot'
            ) AND EXISTS (
              SELECT 1 FROM messages m WHERE m.conversation_id = v.id AND m.direction = 'out' AND m.author_type = 'bot'
            )) AS by_bot
       FROM conversations v
      WHERE v.status = 'resolved' AND v.resolved_at >= ? AND v.resolved_at < ?`,
    [from, to],
  );
  return { resolved: Number(result.rows[0]!.resolved), byBot: Number(result.rows[0]!.by_bot) };
}
