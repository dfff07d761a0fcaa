import { subject as asSubject } from '@casl/ability';
import type { ServerResponse } from 'node:http';
import type { AuthState } from '../identity/principal';
import type { Logger } from '../../lib/logger';
import { SerialDrain } from '../../lib/serialDrain';
import { decodeNotice, type BudgetNotice, type ReceivedAnyNotice, type ReceivedNotice } from './liveNotices';
import { UnassignedCounts } from './unassignedCounts';
import { canReadPhone } from '../contacts';
import { findConversations, findMessage, findMessages, messagesByWamid, presentConversation, presentMessages, type ConversationRow, type MessageRow } from '../conversations';
import type { Services } from '../../services';

type Client = { res: ServerResponse; token: string; auth: AuthState; /** The last unassigned count it was sent. */ unassigned?: number };

// Proxies close idle connections; a comment line every 20 s keeps the stream open. The beat also
// checks each stream's session, at least four times per idle timeout, so an unattended tab is
// signed out close to the timeout.
const HEARTBEAT_MS = 20_000;
const MIN_BEAT_MS = 250;
// Notices rendered together at most (two queries for the lot).
const MAX_DISPATCH_BATCH = 500;

/** Whether a conversation waits for an agent: open, and nobody's. */
const isWaiting = (c: ConversationRow | undefined): boolean => c !== undefined && c.assignee_id === null && c.status === 'open';

/**
 * Server-Sent Events for the inbox. Every web process LISTENs on the events channel; for each
 * notice it loads the conversation (and message) once, then writes it to each connected
 * client allowed to read that conversation.
 */
export class LiveEvents {
  private clients = new Set<Client>();
  private readonly pending = new SerialDrain<string>((batch) => this.renderBatch(batch), MAX_DISPATCH_BATCH);
  private heartbeat: NodeJS.Timeout;
  private readonly unassigned: UnassignedCounts;

  constructor(
    private readonly s: Services,
    private readonly log: Logger,
  ) {
    const beatMs = Math.max(MIN_BEAT_MS, Math.min(HEARTBEAT_MS, s.config.sessionIdleMs / 4));
    this.heartbeat = setInterval(() => void this.beat(), beatMs);
    this.heartbeat.unref();
    this.unassigned = new UnassignedCounts(s.db, log, () => this.clients);
  }

  get size(): number {
    return this.clients.size;
  }

  /** Adopts an HTTP response as an event stream for a signed-in user. */
  attach(res: ServerResponse, token: string, auth: AuthState): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n: connected\n\n');
    const client = { res, token, auth };
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
    // Its first count: whatever changed between the panel's own count request and this stream.
    this.unassigned.touch();
  }

  /**
   * Handles a NOTIFY payload. Notices are rendered in batches, in order: whatever arrives while
   * one batch is being rendered goes into the next, so a burst costs two queries per batch,
   * not per message, and never crowds the pool that webhooks need.
   */
  dispatchSafely(payload: string): void {
    if (this.clients.size === 0) {
      return;
    }
    this.pending.push([payload]);
  }

  private async renderBatch(batch: string[]): Promise<void> {
    try {
      await this.dispatch(batch);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, dropped: batch.length }, 'live event dispatch failed');
    }
  }

  private async dispatch(payloads: string[]): Promise<void> {
    if (this.clients.size === 0) {
      return;
    }
    const all = payloads.flatMap((p): ReceivedAnyNotice[] => {
      try {
        return [decodeNotice(p)];
      } catch {
        return [];
      }
    });
    const isBudget = (n: ReceivedAnyNotice): n is BudgetNotice => n.type === 'costs.budget_threshold';
    const notices = all.filter((n): n is ReceivedNotice => !isBudget(n));
    const conversations = new Map((await findConversations(this.s.db, notices.map((n) => n.conversationId))).map((c) => [c.id, c]));
    const wanted = notices.filter((n) => n.type !== 'conversation.updated' && n.type !== 'lexicon.flagged' && n.type !== 'routing.overdue' && n.messageId && conversations.has(n.conversationId));
    const times = wanted.every((n) => n.createdAt) ? wanted.map((n) => new Date(n.createdAt!)) : [];
    const messages = new Map((await findMessages(this.s.db, wanted.map((n) => n.messageId!), times)).map((m) => [m.id, m]));

    // Each stream's rights once per batch: the session cache answers without a query, and
    // reflects role changes at once. Delivering events is not the user's activity.
    const readers: Array<{ client: Client; out: string }> = [];
    for (const client of this.clients) {
      const auth = await this.s.sessions.resolve(client.token, { activity: false }).catch(() => null);
      if (auth) {
        client.auth = auth;
        readers.push({ client, out: '' });
      }
    }
    for (const notice of all.filter(isBudget)) {
      this.alertSpendReaders(readers, notice);
    }
    for (const notice of notices) {
      const conversation = conversations.get(notice.conversationId);
      if (!conversation) {
        continue;
      }
      if (notice.type === 'lexicon.flagged') {
        this.alertLexiconReaders(readers, notice, conversation);
        continue;
      }
      if (notice.type === 'routing.overdue') {
        this.alertSupervisors(readers, conversation);
        continue;
      }
      const rendered = await this.render(notice, conversation, notice.messageId ? messages.get(notice.messageId) : undefined);
      if (!rendered) {
        continue;
      }
      const { event, data } = rendered;
      const subject = asSubject('Conversation', { id: conversation.id, assigneeId: conversation.assignee_id, teamId: conversation.team_id, channelId: conversation.channel_id, status: conversation.status });
      // Two renderings: the contact's number in clear, or masked for readers without the phone field.
      const frameOf = (showPhone: boolean) => {
        const body = event === 'conversation.updated' ? { conversation: presentConversation(conversation, showPhone) } : data;
        let frame = `event: ${event}\ndata: ${JSON.stringify(body)}\n\n`;
        if (event !== 'conversation.updated' && event !== 'message.status') {
          frame += `event: conversation.updated\ndata: ${JSON.stringify({ conversation: presentConversation(conversation, showPhone) })}\n\n`;
        }
        return frame;
      };
      const frames = { clear: frameOf(true), masked: frameOf(false) };
      for (const reader of readers) {
        if (reader.client.auth.ability.can('read', subject)) {
          reader.out += canReadPhone(reader.client.auth.ability) ? frames.clear : frames.masked;
        }
      }
    }
    for (const { client, out } of readers) {
      if (out && this.clients.has(client)) {
        client.res.write(out);
      }
    }
    // An update may be an assignment or a resolution, an agent's reply may have claimed the
    // conversation, and news in a waiting one may be a new customer: each may move the counters.
    const mayMoveQueue = (n: ReceivedNotice) =>
      n.type === 'conversation.updated' ||
      (n.type === 'message.created' && (isWaiting(conversations.get(n.conversationId)) || messages.get(n.messageId ?? '')?.direction === 'out'));
    if (notices.some(mayMoveQueue)) {
      this.unassigned.touch();
    }
  }

  /** A budget alert: the month and threshold, to those who may read spend (admins, supervisors). */
  private alertSpendReaders(readers: Array<{ client: Client; out: string }>, notice: BudgetNotice): void {
    const frame = `event: costs.budget_threshold\ndata: ${JSON.stringify({ month: notice.month, thresholdPercent: notice.thresholdPercent })}\n\n`;
    for (const reader of readers) {
      if (reader.client.auth.ability.can('read', 'Cost')) {
        reader.out += frame;
      }
    }
  }

  /** A lexicon alert: ids only, to those who may read the hits and the conversation (supervisors). */
  private alertLexiconReaders(readers: Array<{ client: Client; out: string }>, notice: ReceivedNotice, conversation: ConversationRow): void {
    const frame = `event: lexicon.flagged\ndata: ${JSON.stringify({ conversationId: conversation.id, messageId: notice.messageId ?? null, hitIds: notice.hitIds ?? [] })}\n\n`;
    const subject = asSubject('Conversation', { id: conversation.id, assigneeId: conversation.assignee_id, teamId: conversation.team_id, channelId: conversation.channel_id, status: conversation.status });
    for (const reader of readers) {
      if (reader.client.auth.ability.can('read', 'LexiconHit') && reader.client.auth.ability.can('read', subject)) {
        reader.out += frame;
      }
    }
  }

  /** A customer waits past the first-response target: ids only, to those who may reassign it (supervisors). */
  private alertSupervisors(readers: Array<{ client: Client; out: string }>, conversation: ConversationRow): void {
    const frame = `event: routing.overdue\ndata: ${JSON.stringify({ conversationId: conversation.id, assigneeId: conversation.assignee_id })}\n\n`;
    const subject = asSubject('Conversation', { id: conversation.id, assigneeId: conversation.assignee_id, teamId: conversation.team_id, channelId: conversation.channel_id, status: conversation.status });
    for (const reader of readers) {
      if (reader.client.auth.ability.can('assign', subject)) {
        reader.out += frame;
      }
    }
  }

  private async render(notice: ReceivedNotice, conversation: ConversationRow, loaded: MessageRow | undefined): Promise<{ event: string; data: unknown } | null> {
    if (notice.type === 'conversation.updated') {
      // Re-rendered per reader's phone rule in the caller (frameOf).
      return { event: 'conversation.updated', data: null };
    }
    let row = loaded;
    if (!row) {
      return null;
    }
    let event: string = notice.type;
    if (row.type === 'reaction') {
      // A reaction changes the message it reacts to: send that message again, updated.
      const target = row.context_wamid ? (await messagesByWamid(this.s.db, conversation.id, [row.context_wamid]))[0] : undefined;
      row = target ? await findMessage(this.s.db, target.id) : undefined;
      event = 'message.updated';
      if (!row) {
        return null;
      }
    }
    const [message] = await presentMessages(this.s, conversation.id, [row], { fresh: event === 'message.created' });
    if (!message) {
      return null;
    }
    if (event === 'message.status') {
      return { event, data: { conversationId: conversation.id, messageId: message.id, status: message.status, statusTimes: message.statusTimes, error: message.error } };
    }
    return { event, data: { conversationId: conversation.id, message } };
  }

  /**
   * Heartbeats, and ends streams whose session ended (logout, disable, expiry, inactivity) with a
   * `session.ended` event saying why, so the panel can tell the user. The check is no activity.
   */
  private async beat(): Promise<void> {
    for (const client of this.clients) {
      const found = await this.s.sessions.lookup(client.token, false).catch(() => null);
      if (found && 'auth' in found) {
        client.auth = found.auth;
        client.res.write(': ping\n\n');
        continue;
      }
      if (found) {
        const idleMinutes = Math.max(1, Math.round(this.s.sessions.idleMs / 60_000));
        const data = found.ended === 'idle' ? { reason: 'idle_timeout', idleMinutes } : { reason: found.ended };
        client.res.write(`event: session.ended\ndata: ${JSON.stringify(data)}\n\n`);
      }
      client.res.end();
      this.clients.delete(client);
    }
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) {
      client.res.end();
    }
    this.clients.clear();
  }
}
