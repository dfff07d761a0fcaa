import { subject as asSubject } from '@casl/ability';
import type { ServerResponse } from 'node:http';
import type { AuthState } from '../../http/context';
import type { Logger } from '../../lib/logger';
import { presentConversation } from '../conversations/present';
import { findConversation, findMessage, messagesByWamid, type ConversationRow } from '../conversations/repo';
import { presentMessages } from '../conversations/routes';
import type { Services } from '../../services';

type Client = { res: ServerResponse; token: string; auth: AuthState };
type Notice = { type: 'message.created' | 'message.status' | 'message.updated' | 'conversation.updated'; conversationId: string; messageId?: string; createdAt?: string };

// Proxies close idle connections; a comment line every 20 s keeps the stream open.
const HEARTBEAT_MS = 20_000;

/**
 * Server-Sent Events for the inbox. Every web process LISTENs on the events channel; for each
 * notice it loads the conversation (and message) once, then writes it to each connected
 * client allowed to read that conversation.
 */
export class LiveEvents {
  private clients = new Set<Client>();
  private heartbeat: NodeJS.Timeout;

  constructor(
    private readonly s: Services,
    private readonly log: Logger,
  ) {
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
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
  }

  /** Handles one NOTIFY payload. */
  async dispatch(payload: string): Promise<void> {
    if (this.clients.size === 0) {
      return;
    }
    let notice: Notice;
    try {
      notice = JSON.parse(payload) as Notice;
    } catch {
      return;
    }
    const conversation = await findConversation(this.s.db, notice.conversationId);
    if (!conversation) {
      return;
    }
    const rendered = await this.render(notice, conversation);
    if (!rendered) {
      return;
    }
    const { event, data } = rendered;
    const subject = asSubject('Conversation', { id: conversation.id, assigneeId: conversation.assignee_id, teamId: conversation.team_id, channelId: conversation.channel_id, status: conversation.status });
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    const summary = event === 'conversation.updated' || event === 'message.status' ? null : `event: conversation.updated\ndata: ${JSON.stringify({ conversation: presentConversation(conversation) })}\n\n`;
    for (const client of this.clients) {
      // The session cache answers without a query, and reflects role changes at once.
      const auth = (await this.s.sessions.resolve(client.token).catch(() => null)) ?? null;
      if (auth?.ability.can('read', subject)) {
        client.auth = auth;
        client.res.write(summary ? frame + summary : frame);
      }
    }
  }

  private async render(notice: Notice, conversation: ConversationRow): Promise<{ event: string; data: unknown } | null> {
    if (notice.type === 'conversation.updated') {
      return { event: 'conversation.updated', data: { conversation: presentConversation(conversation) } };
    }
    if (!notice.messageId) {
      return null;
    }
    let row = await findMessage(this.s.db, notice.messageId, notice.createdAt ? new Date(notice.createdAt) : undefined);
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

  /** Heartbeats, and drops streams whose session ended (logout, disable, expiry) or whose rules changed. */
  private async beat(): Promise<void> {
    for (const client of this.clients) {
      const auth = await this.s.sessions.resolve(client.token).catch(() => null);
      if (!auth) {
        client.res.end();
        this.clients.delete(client);
        continue;
      }
      client.auth = auth;
      client.res.write(': ping\n\n');
    }
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) {
      client.res.end();
    }
    this.clients.clear();
  }

  /** Logs a dispatch failure without breaking the listener. */
  dispatchSafely(payload: string): void {
    this.dispatch(payload).catch((err: Error) => this.log.warn({ err: err.message }, 'live event dispatch failed'));
  }
}
