// The auto-replies of inbound messages, right after the webhook commits them (off the response
// path, in arrival order). For each message at most one answer, the first that applies: the
// welcome (the contact's first message ever), the out-of-office (outside business hours, once per
// closed period), then the highest-priority keyword rule on that number (unless it answered this
// contact within its cooldown). Every answer takes the agents' path (queueAutomatedIn): the
// 24-hour window, the lexicon and the outbox apply.
//
// Throughput: the answers of a batch are decided first (reads, lookups), then queued in a few
// transactions side by side (each answer in a savepoint), whose audit entries are appended last:
// the audit chain serialises its writers from their first append to their commit, so a burst
// holds it once per transaction, briefly, rather than once per message for the whole send.
import { systemActor } from '../../lib/actor';
import { SerialDrain } from '../../lib/serialDrain';
import type { Db, Trx } from '../../db/knex';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { queueAutomatedIn, settleAutomated, type AutomatedOutcome, type AutomatedSource, type SendInput } from '../conversations/send';
import type { InboundText } from '../lexicon';
import { scopedTo, RuleCache } from './cache';
import { formatOpening, isOpen, nextOpening } from './hours';
import { defaultSettings, hoursOf } from './present';
import { inboundContexts, lastAnswers, lastAnswersOf, lockConversations, recordSend, settingsOf, wroteBefore, type InboundContext, type NewSend, type RuleRow, type SettingsRow } from './repo';
import type { Answer } from './schema';
import type { AuditEntry } from '../audit/auditLog';

// Messages handled per batch, messages decided at once within one, and transactions side by side.
const BATCH = 200;
const CONCURRENCY = 8;
const WRITERS = 6;
// When an out-of-office has no next opening (every day a holiday for a year): one period, "forever".
const NO_OPENING = new Date(8.64e15);

/** Thrown inside a savepoint to undo an answer: the once-only answer or the cooldown was already used. */
class AlreadyAnswered extends Error {}

/** One possible answer to a message, and what records it (for cooldowns and once-only answers). */
type Candidate = {
  input: SendInput;
  source: AutomatedSource;
  record: Pick<NewSend, 'kind' | 'rule_id' | 'period_end'>;
  /** Cooldown: checked under the conversation's lock, so two messages at once get one answer. */
  cooldownSeconds: number | null;
};

/** The answers to try for a message, in order; the first that is not already given is sent. */
type Plan = { context: InboundContext; candidates: Candidate[] };

/** A text in the contact's language, else the number's default, else any. */
function textFor(texts: Record<string, string>, language: string | null, fallback: string): string | null {
  const base = language?.split('-')[0];
  return (language && texts[language]) || (base && texts[base]) || texts[fallback] || Object.values(texts)[0] || null;
}

function inputOf(answer: Exclude<Answer, { kind: 'lookup' }>): SendInput {
  switch (answer.kind) {
    case 'text':
      return { type: 'text', text: answer.text };
    case 'media':
      return { type: 'media', mediaId: answer.mediaId, caption: answer.caption };
    case 'template':
      return { type: 'template', templateId: answer.templateId, parameters: answer.parameters };
    case 'interactive':
      return { type: 'interactive', body: answer.text, buttons: answer.buttons.map((title, i) => ({ id: `autoreply:${i + 1}`, title })) };
  }
}

/** The auto-reply engine of a process: the compiled rules and the queue of inbound messages. */
export class AutoReplies {
  readonly rules: RuleCache;
  /** Inbound messages examined so far by this process (answered or not): for metrics and tests. */
  examined = 0;
  private readonly inbound: SerialDrain<InboundText>;

  constructor(db: Db, private readonly services: () => Services) {
    this.rules = new RuleCache(db);
    this.inbound = new SerialDrain((batch) => this.handle(batch), BATCH);
  }

  /** Queues stored inbound messages for their answers; the webhook does not wait. */
  onInbound(items: InboundText[]): void {
    if (items.length > 0) {
      this.inbound.push(items);
    }
  }

  /** Resolves once every queued message was handled. */
  flush(): Promise<void> {
    return this.inbound.flush();
  }

  private async handle(batch: InboundText[]): Promise<void> {
    const s = this.services();
    try {
      const [found, rules] = await Promise.all([inboundContexts(s.db, batch.map((m) => m.conversationId)), this.rules.current()]);
      const contexts = new Map(found.map((c) => [c.conversation_id, c]));
      const settings = new Map((await settingsOf(s.db, found.map((c) => c.channel_id))).map((r) => [r.channel_id, r]));
      const plans: Plan[] = [];
      for (let i = 0; i < batch.length; i += CONCURRENCY) {
        await Promise.all(batch.slice(i, i + CONCURRENCY).map(async (m) => {
          const c = contexts.get(m.conversationId);
          // Someone who opted out (STOP) gets no automatic answer.
          if (!c || c.opt_state === 'out') {
            return;
          }
          const plan = await this.plan(s, m, c, settings.get(c.channel_id) ?? defaultSettings(c.channel_id), rules.match(m.text)).catch((err: unknown) => {
            s.log.warn({ err: (err as Error).message, conversationId: m.conversationId }, 'auto-reply: could not decide');
            return null;
          });
          if (plan && plan.candidates.length > 0) {
            plans.push(plan);
          }
        }));
      }
      await this.queue(s, plans);
    } catch (err) {
      s.log.warn({ err: (err as Error).message, messages: batch.length }, 'auto-replies could not run');
    } finally {
      this.examined += batch.length;
    }
  }

  /** What could answer a message, in order: welcome, out-of-office, the rule (a lookup is run now). */
  private async plan(s: Services, m: InboundText, c: InboundContext, settings: SettingsRow, matches: RuleRow[]): Promise<Plan> {
    const now = s.clock();
    const candidates: Candidate[] = [];
    const fixed = (text: string, kind: 'welcome' | 'out_of_office', periodEnd: Date | null): Candidate => ({
      input: { type: 'text', text }, source: { kind, ruleId: null, mediaOwnerId: null }, record: { kind, rule_id: null, period_end: periodEnd }, cooldownSeconds: null,
    });
    if (settings.welcome_enabled && !(await wroteBefore(s.db, c.contact_id, { id: m.messageId, createdAt: m.createdAt }))) {
      const text = textFor(settings.welcome_texts, c.language, settings.default_language);
      if (text) {
        candidates.push(fixed(text, 'welcome', null));
      }
    }
    const hours = hoursOf(settings);
    if (settings.out_of_office_enabled && !isOpen(hours, now)) {
      const opening = nextOpening(hours, now);
      const template = textFor(settings.out_of_office_texts, c.language, settings.default_language);
      if (template) {
        const when = opening ? formatOpening(opening, settings.time_zone, c.language ?? settings.default_language) : '';
        // The closed period is named by the opening that ends it: one message per contact in it.
        candidates.push(fixed(template.replaceAll('{{next_opening}}', when), 'out_of_office', opening ?? NO_OPENING));
      }
    }
    const rule = scopedTo(matches, c.channel_id)[0];
    if (rule) {
      const candidate = await this.ruleAnswer(s, m, c, rule);
      if (candidate) {
        candidates.push(candidate);
      }
    }
    return { context: c, candidates };
  }

  /** A rule's answer; a lookup that cannot answer hands the conversation to a human (left in the queue) and is audited. */
  private async ruleAnswer(s: Services, m: InboundText, c: InboundContext, rule: RuleRow): Promise<Candidate | null> {
    const record = { kind: 'rule' as const, rule_id: rule.id, period_end: null };
    // A file answer is sent as the upload of whoever last wrote the answer (the inbox's rule: a sender attaches their own files).
    const source: AutomatedSource = { kind: rule.answer.kind === 'lookup' ? 'lookup' : 'rule', ruleId: rule.id, mediaOwnerId: rule.answer_by ?? rule.created_by };
    if (rule.answer.kind !== 'lookup') {
      return { input: inputOf(rule.answer), source, record, cooldownSeconds: rule.cooldown_seconds };
    }
    // Within its cooldown the rule will not answer: no call is made.
    const last = (await lastAnswers(s.db, c.contact_id, [rule.id])).get(rule.id);
    if (last && s.clock().getTime() - last.getTime() < rule.cooldown_seconds * 1000) {
      return null;
    }
    const found = await s.lookup(rule.answer.integrationId, { waId: c.wa_id, text: m.text, contactName: c.profile_name });
    if (!found.ok) {
      await s.audit.record(systemActor, { action: 'autoreply.handoff', subjectType: 'Conversation', subjectId: c.conversation_id, details: { reason: found.reason, ruleId: rule.id, integrationId: rule.answer.integrationId } });
      return null;
    }
    return { input: { type: 'text', text: found.text }, source, record, cooldownSeconds: rule.cooldown_seconds };
  }

  /**
   * Queues the batch's answers: the plans split by conversation over a few transactions, each
   * answer in a savepoint, the audit entries appended last; then records blocks and wakes the lanes.
   */
  private async queue(s: Services, plans: Plan[]): Promise<void> {
    if (plans.length === 0) {
      return;
    }
    const now = s.clock();
    const settled: Array<{ conversationId: string; input: SendInput; outcome: AutomatedOutcome }> = [];
    // One conversation's messages stay in one transaction, in arrival order.
    const groups: Plan[][] = Array.from({ length: Math.min(WRITERS, plans.length) }, () => []);
    for (const plan of plans) {
      groups[parseInt(plan.context.conversation_id.slice(-4), 16) % groups.length]!.push(plan);
    }
    await Promise.all(groups.map((group) => s.db.transaction(async (trx) => {
      const audit: AuditEntry[] = [];
      await lockConversations(trx, group.map((p) => p.context.conversation_id));
      // The conversations are locked: these cannot change under us but by our own answers, noted as they go.
      const pairs = group.flatMap((p) => p.candidates.filter((k) => k.record.rule_id).map((k) => ({ contactId: p.context.contact_id, ruleId: k.record.rule_id! })));
      const answered = await lastAnswersOf(trx, pairs);
      for (const plan of group) {
        for (const candidate of plan.candidates) {
          const outcome = await this.tryCandidate(trx, s, plan.context, candidate, now, audit, answered);
          if (outcome === 'skipped') {
            continue;
          }
          if (outcome !== 'failed') {
            settled.push({ conversationId: plan.context.conversation_id, input: candidate.input, outcome });
          }
          break;
        }
      }
      await s.audit.appendIn(trx, systemActor, audit);
    }).catch((err: unknown) => s.log.warn({ err: (err as Error).message, answers: group.length }, 'auto-replies could not be queued'))));
    for (const { conversationId, input, outcome } of settled) {
      await settleAutomated(s, conversationId, input, outcome).catch((err: unknown) => s.log.warn({ err: (err as Error).message, conversationId }, 'auto-reply: could not record'));
    }
  }

  /**
   * Queues one candidate. A once-only answer (welcome, out-of-office) runs in a savepoint, undone
   * when its record finds it already given; a rule's answer needs none: its cooldown is checked
   * first, and a refusal (template gone, number inactive...) comes before anything is written.
   */
  private async tryCandidate(trx: Trx, s: Services, c: InboundContext, candidate: Candidate, now: Date, audit: AuditEntry[], answered: Map<string, Date>): Promise<AutomatedOutcome | 'skipped' | 'failed'> {
    const entries: AuditEntry[] = [];
    const ruleId = candidate.record.rule_id;
    const key = `${c.contact_id}:${ruleId}`;
    const last = ruleId ? answered.get(key) : undefined;
    if (candidate.cooldownSeconds !== null && last && now.getTime() - last.getTime() < candidate.cooldownSeconds * 1000) {
      return 'skipped';
    }
    const queue = async (conn: Trx): Promise<AutomatedOutcome> => {
      const outcome = await queueAutomatedIn(conn, s, c.conversation_id, candidate.input, candidate.source, entries);
      if ('blocked' in outcome) {
        return outcome;
      }
      const row = { id: newId(), contact_id: c.contact_id, channel_id: c.channel_id, conversation_id: c.conversation_id, message_id: outcome.id, sent_at: now, ...candidate.record };
      // Only once-only answers can find theirs already recorded (unique indexes); they run in a savepoint.
      if (!(await recordSend(conn, row))) {
        throw new AlreadyAnswered();
      }
      return outcome;
    };
    try {
      const outcome = ruleId ? await queue(trx) : await trx.transaction(queue);
      if (ruleId && !('blocked' in outcome)) {
        answered.set(key, now);
      }
      // Only an answer that stayed queued is audited.
      audit.push(...entries);
      return outcome;
    } catch (err) {
      if (err instanceof AlreadyAnswered) {
        return 'skipped';
      }
      // The answer cannot be sent (a template no longer approved, the number inactive...): logged, the next message tries again.
      s.log.warn({ err: (err as Error).message, conversationId: c.conversation_id, kind: candidate.source.kind, ruleId }, 'auto-reply not sent');
      return 'failed';
    }
  }

}
