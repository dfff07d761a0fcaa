// The auto-replies of inbound messages, right after the webhook commits them (off the response
// path, in arrival order, a few conversations at a time). For each message at most one answer,
// the first that applies: the welcome (the contact's first message ever), the out-of-office
// (outside business hours, once per closed period), then the highest-priority keyword rule on
// that number (unless it answered this contact within its cooldown). Every answer takes the
// agents' path (sendAutomated): the 24-hour window, the lexicon and the outbox apply.
import { systemActor } from '../../lib/actor';
import { SerialDrain } from '../../lib/serialDrain';
import type { Db, Trx } from '../../db/knex';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { sendAutomated, type AutomatedSource, type SendInput } from '../conversations/send';
import type { InboundText } from '../lexicon';
import { scopedTo, RuleCache } from './cache';
import { formatOpening, isOpen, nextOpening } from './hours';
import { defaultSettings, hoursOf } from './present';
import { inboundContexts, lastAnswers, recordSend, settingsOf, wroteBefore, type InboundContext, type NewSend, type RuleRow, type SettingsRow } from './repo';
import type { Answer } from './schema';

// Messages handled per batch, and conversations answered at once within one.
const BATCH = 64;
const CONCURRENCY = 8;

/** Thrown inside a send's transaction to undo it: the once-only answer or the cooldown was already used. */
class AlreadyAnswered extends Error {}

type Outcome = 'sent' | 'blocked' | 'skipped' | 'handoff' | 'failed';

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
      const contexts = new Map((await inboundContexts(s.db, batch.map((m) => m.conversationId))).map((c) => [c.conversation_id, c]));
      const settings = new Map((await settingsOf(s.db, [...contexts.values()].map((c) => c.channel_id))).map((r) => [r.channel_id, r]));
      const rules = await this.rules.current();
      for (let i = 0; i < batch.length; i += CONCURRENCY) {
        await Promise.all(batch.slice(i, i + CONCURRENCY).map(async (m) => {
          const c = contexts.get(m.conversationId);
          if (!c || c.opt_state === 'out') {
            return;
          }
          await this.answer(s, m, c, settings.get(c.channel_id) ?? defaultSettings(c.channel_id), rules.match(m.text)).catch((err: unknown) => {
            s.log.warn({ err: (err as Error).message, conversationId: m.conversationId }, 'auto-reply failed');
          });
        }));
      }
    } catch (err) {
      s.log.warn({ err: (err as Error).message, messages: batch.length }, 'auto-replies could not run');
    } finally {
      this.examined += batch.length;
    }
  }

  private async answer(s: Services, m: InboundText, c: InboundContext, settings: SettingsRow, matches: RuleRow[]): Promise<Outcome> {
    const now = s.clock();
    const language = c.language;
    const send = (input: SendInput, source: AutomatedSource, record: Omit<NewSend, 'id' | 'contact_id' | 'channel_id' | 'conversation_id' | 'message_id'>, check?: (trx: Trx) => Promise<void>) =>
      this.sendOnce(s, c, input, source, { ...record, sent_at: now }, check);
    if (settings.welcome_enabled && !(await wroteBefore(s.db, c.contact_id, { id: m.messageId, createdAt: m.createdAt }))) {
      const text = textFor(settings.welcome_texts, language, settings.default_language);
      if (text) {
        const outcome = await send({ type: 'text', text }, { kind: 'welcome', ruleId: null, mediaOwnerId: null }, { kind: 'welcome', rule_id: null, period_end: null });
        if (outcome !== 'skipped') {
          return outcome;
        }
      }
    }
    const hours = hoursOf(settings);
    if (settings.out_of_office_enabled && !isOpen(hours, now)) {
      const opening = nextOpening(hours, now);
      const template = textFor(settings.out_of_office_texts, language, settings.default_language);
      if (template) {
        const lang = language ?? settings.default_language;
        const text = template.replaceAll('{{next_opening}}', opening ? formatOpening(opening, settings.time_zone, lang) : '');
        // The closed period is named by the opening that ends it: one message per contact in it.
        const outcome = await send({ type: 'text', text }, { kind: 'out_of_office', ruleId: null, mediaOwnerId: null }, { kind: 'out_of_office', rule_id: null, period_end: opening ?? new Date(8.64e15) });
        if (outcome !== 'skipped') {
          return outcome;
        }
      }
    }
    const rule = scopedTo(matches, c.channel_id)[0];
    if (!rule) {
      return 'skipped';
    }
    // Checked again under the conversation's lock, so two messages at once get one answer.
    const cooling = async (trx: Trx) => {
      const last = (await lastAnswers(trx, c.contact_id, [rule.id])).get(rule.id);
      if (last && now.getTime() - last.getTime() < rule.cooldown_seconds * 1000) {
        throw new AlreadyAnswered();
      }
    };
    const source: AutomatedSource = { kind: rule.answer.kind === 'lookup' ? 'lookup' : 'rule', ruleId: rule.id, mediaOwnerId: rule.created_by };
    const record = { kind: 'rule' as const, rule_id: rule.id, period_end: null };
    if (rule.answer.kind !== 'lookup') {
      return send(inputOf(rule.answer), source, record, cooling);
    }
    const found = await s.lookup(rule.answer.integrationId, { waId: c.wa_id, text: m.text, contactName: c.profile_name });
    if (!found.ok) {
      // Left unassigned in the queue: routing and the agents take it from there.
      await s.audit.record(systemActor, { action: 'autoreply.handoff', subjectType: 'Conversation', subjectId: c.conversation_id, details: { reason: found.reason, ruleId: rule.id, integrationId: rule.answer.integrationId } });
      return 'handoff';
    }
    return send({ type: 'text', text: found.text }, source, record, cooling);
  }

  private async sendOnce(s: Services, c: InboundContext, input: SendInput, source: AutomatedSource, record: Omit<NewSend, 'id' | 'contact_id' | 'channel_id' | 'conversation_id' | 'message_id'> & { sent_at: Date }, check?: (trx: Trx) => Promise<void>): Promise<Outcome> {
    try {
      const result = await sendAutomated(s, c.conversation_id, input, source, async (trx, messageId) => {
        await check?.(trx);
        const row = { id: newId(), contact_id: c.contact_id, channel_id: c.channel_id, conversation_id: c.conversation_id, message_id: messageId, ...record };
        if (!(await recordSend(trx, row))) {
          throw new AlreadyAnswered();
        }
      });
      return 'sent' in result ? 'sent' : 'blocked';
    } catch (err) {
      if (err instanceof AlreadyAnswered) {
        return 'skipped';
      }
      throw err;
    }
  }
}
