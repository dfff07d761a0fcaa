// Where messages meet the lexicon: outbound ones before they enter the outbox (a block refuses
// the message, a flag stores a hit and alerts supervisors), inbound ones after they are stored
// (flag only: a customer's message cannot be refused). Audit events name terms and ids, never the
// message's text.
import type { Db, Trx } from '../../db/knex';
import { systemActor, type Actor } from '../../lib/actor';
import { errors, type AppError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Logger } from '../../lib/logger';
import { SerialDrain } from '../../lib/serialDrain';
import type { AuditLog } from '../audit/auditLog';
import { publishNotice } from '../inbox';
import { LexiconCache } from './cache';
import { verdictOf, type LexiconAction, type LexiconMatch } from './engine';
import { insertHits, type NewHit } from './repo';

/** What the lexicon says of an outbound message. */
export type Screened = { verdict: LexiconAction | null; matches: LexiconMatch[] };

/** An inbound message just stored, for the flag-only scan. */
export type InboundText = { messageId: string; createdAt: Date; conversationId: string; text: string };

/** The message a hit is about (outbound: its author too). */
type HitRef = { conversationId: string; messageId: string | null; messageCreatedAt: Date | null; authorId: string | null };

// Inbound messages scanned per transaction at most.
const INBOUND_BATCH = 500;

/** Each matched term once (a term may occur several times in a message). */
function distinctTerms(matches: readonly LexiconMatch[]): LexiconMatch[] {
  const seen = new Map<string, LexiconMatch>();
  for (const m of matches) {
    if (!seen.has(m.termId)) {
      seen.set(m.termId, m);
    }
  }
  return [...seen.values()];
}

function hitsOf(matches: readonly LexiconMatch[], direction: 'in' | 'out', action: LexiconAction | null, ref: HitRef): NewHit[] {
  return distinctTerms(matches).map((m) => ({
    id: newId(), term_id: m.termId, term: m.term, action: action ?? m.action, direction,
    conversation_id: ref.conversationId, message_id: ref.messageId, message_created_at: ref.messageCreatedAt, author_id: ref.authorId,
  }));
}

/** The lexicon of a process: its compiled cache, the outbound checks and the inbound scanner. */
export class Lexicon {
  readonly cache: LexiconCache;
  private readonly inbound: SerialDrain<InboundText>;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly log: Logger,
  ) {
    this.cache = new LexiconCache(db);
    this.inbound = new SerialDrain((batch) => this.scanInbound(batch), INBOUND_BATCH);
  }

  /** Checks the texts an outbound message carries (body, caption, template values), in the send's transaction. */
  async screen(trx: Trx, texts: ReadonlyArray<string | null | undefined>): Promise<Screened> {
    return (await this.screenEach(trx, [texts]))[0]!;
  }

  /** `screen` for many messages at once (a broadcast's chunk): the lexicon is looked up once. */
  async screenEach(trx: Db | Trx, messages: ReadonlyArray<ReadonlyArray<string | null | undefined>>): Promise<Screened[]> {
    const present = messages.map((texts) => texts.filter((t): t is string => typeof t === 'string' && t.length > 0));
    const lexicon = present.some((texts) => texts.length > 0) ? await this.cache.current(trx) : null;
    return present.map((texts) => {
      const matches = lexicon ? texts.flatMap((t) => lexicon.scan(t)) : [];
      return { verdict: verdictOf(matches), matches };
    });
  }

  /**
   * Records a blocked message (its blocking terms' hits, authored by the user, or nobody for the
   * appliance's automatic answers and a `lexicon.blocked` audit event) in a
   * transaction of its own, the send's having stored nothing, and answers the error naming the terms.
   */
  async refuse(actor: Actor, conversationId: string, screened: Screened, field: string): Promise<AppError> {
    const blocking = distinctTerms(screened.matches.filter((m) => m.action === 'block'));
    await this.db.transaction(async (trx) => {
      await insertHits(trx, hitsOf(blocking, 'out', 'block', { conversationId, messageId: null, messageCreatedAt: null, authorId: actor.id }));
      await this.audit.appendIn(trx, actor, [{
        action: 'lexicon.blocked', subjectType: 'Conversation', subjectId: conversationId,
        details: { termIds: blocking.map((m) => m.termId), terms: blocking.map((m) => m.term) },
      }]);
    });
    return errors.lexiconBlocked(blocking.map((m) => m.term), field);
  }

  /** Stores the hits of a flagged outbound message, audits them and alerts supervisors, in the send's transaction. */
  async recordFlags(trx: Trx, actor: Actor, screened: Screened, message: { id: string; createdAt: Date; conversationId: string }): Promise<void> {
    if (screened.verdict !== 'flag') {
      return;
    }
    const hits = hitsOf(screened.matches, 'out', null, { conversationId: message.conversationId, messageId: message.id, messageCreatedAt: message.createdAt, authorId: actor.id });
    await this.store(trx, actor, hits, message.conversationId, message.id);
  }

  /** Queues inbound messages for the flag-only scan; the webhook does not wait for it. */
  screenInbound(items: InboundText[]): void {
    if (items.length > 0) {
      this.inbound.push(items);
    }
  }

  /** Resolves once every queued inbound message is scanned. */
  flush(): Promise<void> {
    return this.inbound.flush();
  }

  private async store(trx: Trx, actor: Actor, hits: NewHit[], conversationId: string, messageId: string): Promise<void> {
    await insertHits(trx, hits);
    await this.audit.appendIn(trx, actor, [{
      action: 'lexicon.flagged', subjectType: 'Conversation', subjectId: conversationId,
      details: { messageId, direction: hits[0]!.direction, hitIds: hits.map((h) => h.id), termIds: hits.map((h) => h.term_id) },
    }]);
    await publishNotice(trx, { type: 'lexicon.flagged', conversationId, messageId, hitIds: hits.map((h) => h.id) });
  }

  /**
   * Scans a batch of stored inbound messages (compiled lexicon, microseconds each) and stores the
   * few hits in one transaction. Off the webhook's path: a failure is logged, the messages stay.
   */
  private async scanInbound(batch: InboundText[]): Promise<void> {
    try {
      const lexicon = await this.cache.current();
      const flagged = batch.map((m) => ({ m, matches: lexicon.scan(m.text) })).filter((x) => x.matches.length > 0);
      if (flagged.length === 0) {
        return;
      }
      await this.db.transaction(async (trx) => {
        for (const { m, matches } of flagged) {
          const hits = hitsOf(matches, 'in', 'flag', { conversationId: m.conversationId, messageId: m.messageId, messageCreatedAt: m.createdAt, authorId: null });
          await this.store(trx, systemActor, hits, m.conversationId, m.messageId);
        }
      });
    } catch (err) {
      this.log.warn({ err: (err as Error).message, messages: batch.length }, 'inbound lexicon scan failed');
    }
  }
}
