/**
 * Live updates over Server-Sent Events (`/events`, same origin, cookie session).
 *
 * One EventSource is shared by every subscriber and closed when the last one leaves.
 * EventSource reconnects by itself after a dropped connection; when the server answers
 * with an error status it gives up (readyState CLOSED), and we open a new one after a
 * back-off. Either way, the first `open` after an error is reported as `reconnected`, so
 * subscribers refetch what they may have missed.
 */
import { useEffect, useRef } from 'react';
import { reportSessionEnded } from './api';
import type { ConversationSummary, Message, MessageError, MessageStatus, StatusTimes } from './types';

export type ServerEvent =
  | { type: 'message.created'; conversationId: string; message: Message }
  /** Optional: a message re-sent whole (e.g. with new reactions); merged by id like `message.created`. */
  | { type: 'message.updated'; conversationId: string; message: Message }
  | { type: 'message.status'; conversationId: string; messageId: string; status: MessageStatus; statusTimes: StatusTimes; error: MessageError | null }
  | { type: 'conversation.updated'; conversation: ConversationSummary }
  /** How many open conversations wait for an agent, among those the user may read; sent when it changes. */
  | { type: 'unassigned.count'; count: number }
  /** A message matched lexicon terms set to flag: sent to those who may read the hits (supervisors). */
  | { type: 'lexicon.flagged'; conversationId: string; messageId: string | null; hitIds: string[] }
  /** The month's spend passed a budget threshold: sent to those who may read spend. */
  | { type: 'costs.budget_threshold'; month: string; thresholdPercent: number }
  /** A customer has waited past the first-response target: sent to those who may assign the conversation (supervisors). */
  | { type: 'routing.overdue'; conversationId: string; assigneeId: string | null }
  | { type: 'reconnected' };

type Listener = (event: ServerEvent) => void;

export const EVENT_TYPES = ['message.created', 'message.updated', 'message.status', 'conversation.updated', 'unassigned.count', 'lexicon.flagged', 'costs.budget_threshold', 'routing.overdue'] as const;
type EventType = (typeof EVENT_TYPES)[number];

const listeners = new Set<Listener>();
let source: EventSource | null = null;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let retryDelay = 2_000;
let hadError = false;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function emit(event: ServerEvent): void {
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch (error) {
      console.error('event listener failed', error);
    }
  }
}

/** Checks the fields each event type needs; anything else is ignored. */
export function toServerEvent(type: string, payload: unknown): ServerEvent | null {
  if (!isRecord(payload)) {
    return null;
  }
  const kind = type as EventType;
  switch (kind) {
    case 'message.created':
    case 'message.updated':
      return typeof payload.conversationId === 'string' && isRecord(payload.message) && typeof payload.message.id === 'string'
        ? { type: kind, conversationId: payload.conversationId, message: payload.message as unknown as Message }
        : null;
    case 'message.status':
      return typeof payload.conversationId === 'string' && typeof payload.messageId === 'string' && typeof payload.status === 'string'
        ? {
            type: 'message.status',
            conversationId: payload.conversationId,
            messageId: payload.messageId,
            status: payload.status as MessageStatus,
            statusTimes: isRecord(payload.statusTimes) ? (payload.statusTimes as StatusTimes) : {},
            error: isRecord(payload.error) ? (payload.error as unknown as MessageError) : null,
          }
        : null;
    case 'conversation.updated':
      return isRecord(payload.conversation) && typeof payload.conversation.id === 'string'
        ? { type: 'conversation.updated', conversation: payload.conversation as unknown as ConversationSummary }
        : null;
    case 'unassigned.count':
      return typeof payload.count === 'number' && Number.isInteger(payload.count) && payload.count >= 0 ? { type: 'unassigned.count', count: payload.count } : null;
    case 'lexicon.flagged':
      return typeof payload.conversationId === 'string' && Array.isArray(payload.hitIds)
        ? {
            type: 'lexicon.flagged',
            conversationId: payload.conversationId,
            messageId: typeof payload.messageId === 'string' ? payload.messageId : null,
            hitIds: payload.hitIds.filter((hit): hit is string => typeof hit === 'string'),
          }
        : null;
    case 'costs.budget_threshold':
      return typeof payload.month === 'string' && typeof payload.thresholdPercent === 'number'
        ? { type: 'costs.budget_threshold', month: payload.month, thresholdPercent: payload.thresholdPercent }
        : null;
    case 'routing.overdue':
      return typeof payload.conversationId === 'string'
        ? { type: 'routing.overdue', conversationId: payload.conversationId, assigneeId: typeof payload.assigneeId === 'string' ? payload.assigneeId : null }
        : null;
    default:
      return null;
  }
}

function parse(data: unknown): unknown {
  if (typeof data !== 'string') {
    return null;
  }
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return null;
  }
}

function connect(): void {
  const es = new EventSource('/events');
  source = es;
  // Named events (`event: message.created`) ...
  for (const type of EVENT_TYPES) {
    es.addEventListener(type, (event) => {
      const parsed = toServerEvent(type, parse((event as MessageEvent).data));
      if (parsed) {
        emit(parsed);
      }
    });
  }
  // The server signed the session out (e.g. after the idle timeout): stop, and say why.
  es.addEventListener('session.ended', (event) => {
    es.close();
    if (source === es) {
      source = null;
    }
    reportSessionEnded(parse((event as MessageEvent).data));
  });
  // ... or unnamed ones whose JSON says its type: `{ type, ...payload }` or `{ type, data }`.
  es.onmessage = (event) => {
    const body = parse(event.data);
    if (isRecord(body) && typeof body.type === 'string') {
      const parsed = toServerEvent(body.type, isRecord(body.data) ? body.data : body);
      if (parsed) {
        emit(parsed);
      }
    }
  };
  es.onopen = () => {
    retryDelay = 2_000;
    if (hadError) {
      hadError = false;
      emit({ type: 'reconnected' });
    }
  };
  es.onerror = () => {
    hadError = true;
    if (es.readyState === EventSource.CLOSED && source === es) {
      // The browser gave up (an error status or a wrong content type): retry ourselves.
      source = null;
      retryTimer = setTimeout(() => {
        retryTimer = null;
        if (listeners.size > 0 && !source) {
          connect();
        }
      }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 60_000);
    }
  };
}

function disconnect(): void {
  if (retryTimer) {
    clearTimeout(retryTimer);
    retryTimer = null;
  }
  source?.close();
  source = null;
  hadError = false;
  retryDelay = 2_000;
}

/** Adds a listener; the connection opens with the first and closes with the last. */
export function subscribeServerEvents(listener: Listener): () => void {
  listeners.add(listener);
  if (!source && !retryTimer && typeof EventSource !== 'undefined') {
    connect();
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      disconnect();
    }
  };
}

/** Calls the latest `handler` for every server event while the component is mounted. */
export function useServerEvents(handler: Listener): void {
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => subscribeServerEvents((event) => ref.current(event)), []);
}
