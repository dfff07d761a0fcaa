import { digitsOf } from './ids';
import { clampMps, DEFAULT_MPS, pairBucket, throughputBucket, type TokenBucket } from './rateLimits';
import type { ConversationEntry, MessagingLimitTier, SandboxNumber, SandboxStats } from './types';

/** Conversations keep their latest messages only, so long benchmarks do not grow memory without bound. */
const MAX_MESSAGES_PER_CONVERSATION = 500;

export type NumberState = {
  cfg: SandboxNumber;
  /** The display number's digits, as webhook metadata carries it. */
  digits: string;
  qualityRating: 'GREEN' | 'YELLOW' | 'RED';
  messagingLimitTier: MessagingLimitTier;
  throughputMps: number;
  bucket: TokenBucket;
};

export type MessageRecord = {
  direction: 'in' | 'out';
  wamid: string;
  type: string;
  body: unknown;
  context?: string;
  status?: string;
  atMs: number;
  /** Outbound only: Meta's pricing category ('service' for free-form, else the template's). */
  category?: string;
  /** Outbound only: biz_opaque_callback_data, echoed in status webhooks. */
  opaque?: string;
};

export type ConversationState = {
  phoneNumberId: string;
  waId: string;
  profileName: string;
  /** The last inbound message time: it opens the 24-hour customer service window. */
  lastInboundAt?: number;
  messages: MessageRecord[];
  pair: TokenBucket;
  /** Open 24-hour billing conversations by category: the `conversation` object of status webhooks. */
  billing: Map<string, { id: string; expiresAt: number }>;
};

/** Everything the sandbox remembers, in memory: numbers, conversations, messages by wamid, counters. */
export class SandboxState {
  readonly numbers = new Map<string, NumberState>();
  readonly conversations = new Map<string, ConversationState>();
  readonly byWamid = new Map<string, { conv: ConversationState; record: MessageRecord }>();
  readonly counters: SandboxStats = emptyStats();

  constructor(
    numbers: SandboxNumber[],
    private readonly rateClock: () => number = Date.now,
  ) {
    for (const cfg of numbers) {
      const mps = clampMps(cfg.throughputMps ?? DEFAULT_MPS);
      this.numbers.set(cfg.phoneNumberId, {
        cfg,
        digits: digitsOf(cfg.displayNumber),
        qualityRating: 'GREEN',
        messagingLimitTier: 'TIER_1K',
        throughputMps: mps,
        bucket: throughputBucket(mps, rateClock),
      });
    }
  }

  /** The numbers of one WABA. */
  numbersOfWaba(wabaId: string): NumberState[] {
    return [...this.numbers.values()].filter((n) => n.cfg.wabaId === wabaId);
  }

  /** The conversation of a number with a customer, created on first use. */
  conversation(phoneNumberId: string, waId: string, profileName?: string): ConversationState {
    const key = `${phoneNumberId}:${waId}`;
    let conv = this.conversations.get(key);
    if (!conv) {
      conv = { phoneNumberId, waId, profileName: profileName ?? waId, messages: [], pair: pairBucket(this.rateClock), billing: new Map() };
      this.conversations.set(key, conv);
    } else if (profileName) {
      conv.profileName = profileName;
    }
    return conv;
  }

  /** An existing conversation, if any. */
  findConversation(phoneNumberId: string, waId: string): ConversationState | undefined {
    return this.conversations.get(`${phoneNumberId}:${waId}`);
  }

  /** Appends a message, dropping the oldest beyond the per-conversation cap. */
  addMessage(conv: ConversationState, record: MessageRecord): void {
    conv.messages.push(record);
    this.byWamid.set(record.wamid, { conv, record });
    while (conv.messages.length > MAX_MESSAGES_PER_CONVERSATION) {
      const dropped = conv.messages.shift();
      if (dropped) {
        this.byWamid.delete(dropped.wamid);
      }
    }
  }

  /** The public view of a conversation. */
  entries(phoneNumberId: string, waId: string): ConversationEntry[] {
    const conv = this.findConversation(phoneNumberId, waId);
    if (!conv) {
      return [];
    }
    return conv.messages.map((m) => ({
      direction: m.direction,
      wamid: m.wamid,
      type: m.type,
      body: m.body,
      ...(m.context ? { context: m.context } : {}),
      ...(m.status ? { status: m.status } : {}),
      at: new Date(m.atMs).toISOString(),
    }));
  }

  /** Counts an error answered or reported, by Meta code. */
  countViolation(code: number): void {
    const key = String(code);
    this.counters.violations[key] = (this.counters.violations[key] ?? 0) + 1;
  }

  /** A deep copy of the counters. */
  snapshot(): SandboxStats {
    return structuredClone(this.counters);
  }
}

function emptyStats(): SandboxStats {
  return {
    messages: { sent: 0, received: 0, markedRead: 0, byType: {} },
    statuses: { sent: 0, delivered: 0, read: 0, failed: 0 },
    violations: {},
    webhooks: { delivered: 0, failed: 0, retried: 0, abandoned: 0, pending: 0 },
    statusDeliveries: { posts: 0, changes: 0, maxChangesPerPost: 0 },
    media: { uploaded: 0, downloaded: 0, deleted: 0 },
    templates: { created: 0, approved: 0, rejected: 0 },
  };
}

/** Timers the sandbox owns, cleared together on close. Unref'd: a forgotten sandbox never holds a process open. */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  /** Runs `fn` after `ms` unless the sandbox has closed by then. */
  after(ms: number, fn: () => void): void {
    if (this.closed) {
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, Math.max(0, ms));
    timer.unref();
    this.timers.add(timer);
  }

  /** Timers set and not yet run. */
  get pending(): number {
    return this.timers.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
  }
}
