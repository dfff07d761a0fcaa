import type Koa from 'koa';
import type { Logger } from '../lib/logger';

/** One emulated WhatsApp business phone number and the credentials the app uses for it. */
export type SandboxNumber = {
  phoneNumberId: string;
  wabaId: string;
  /** As the app shows it, e.g. '+1 555-010-0100'; webhooks carry its digits only, as Meta does. */
  displayNumber: string;
  verifiedName: string;
  accessToken: string;
  appSecret: string;
  /**
   * The Meta app the number belongs to (digits): its Resumable Upload API (`POST /{app-id}/uploads`)
   * takes template sample files. Defaults to SANDBOX_APP_ID.
   */
  appId?: string;
  /** Messages per second (Meta: 80 by default, up to 1,000 for upgraded numbers). */
  throughputMps?: number;
};

/** A template present from the start (e.g. Meta's `hello_world`, which every new WABA has). */
export type SandboxSeedTemplate = {
  wabaId?: string;
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  components: Array<Record<string, unknown>>;
  status?: TemplateStatus;
};

export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED';

export type SandboxOptions = {
  numbers: SandboxNumber[];
  /** Where signed webhooks are POSTed (the app's /webhooks/whatsapp). */
  webhookUrl: string;
  /** Delays after acceptance (each from the moment the send was accepted). `read` only when the customer reads. */
  statusDelaysMs?: { sent: number; delivered: number; read: number };
  /** The simulated customer reads every delivered message by itself (default true). */
  autoRead?: boolean;
  /** PENDING -> APPROVED (REJECTED when the name contains 'reject') after this delay (default 3000). */
  templateReviewMs?: number;
  /** Delays before each retry of a webhook that did not get a 2xx (Meta: immediately, then with back-off). */
  webhookRetry?: { delaysMs: number[] };
  /** Per-attempt timeout of a webhook POST (default 10 s). */
  webhookTimeoutMs?: number;
  /** Media download URLs expire after this (Meta: 5 minutes). */
  mediaUrlTtlMs?: number;
  /** Base of media download URLs; defaults to the URL the sandbox is reached at. */
  publicBaseUrl?: string;
  /** Deliver some statuses duplicated or out of order (true = 25% of messages, or a probability 0..1). */
  reorder?: boolean | number;
  /**
   * How 131047 (outside the 24-hour window) is reported: 'webhook' (the default: accepted with a
   * wamid, then a `failed` status, as the live Cloud API does) or 'response' (a synchronous HTTP 400).
   */
  windowErrorDelivery?: 'response' | 'webhook';
  /** The Graph API version a path without one is answered at (default v23.0, the version of Meta's document). */
  defaultGraphVersion?: string;
  /**
   * Under load Meta batches status changes into one delivery (up to 1,000 changes). With this
   * set, statuses wait up to `windowMs` and go as one POST of up to `maxChanges` changes, shared
   * by the numbers of one WABA signed by one app (one entry, a change per status, each naming
   * its number); unset, each status is its own POST.
   */
  statusBatch?: { windowMs: number; maxChanges?: number };
  /** Templates present from the start; every WABA also gets an APPROVED `hello_world` (en_US). */
  templates?: SandboxSeedTemplate[];
  /** The clock of the rate limits (default Date.now): tests hold it still to count a burst exactly. */
  rateClock?: () => number;
  log?: Logger;
};

/** What a simulated customer can send. Replies to a business message carry `context`. */
export type CustomerMessage = { context?: { messageId: string } } & (
  | { type: 'text'; body: string }
  | {
      type: 'image' | 'audio' | 'video' | 'document' | 'sticker';
      bytes: Uint8Array;
      mimeType: string;
      caption?: string;
      filename?: string;
      /** Audio recorded with the voice-note button. */
      voice?: boolean;
    }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string; url?: string }
  | { type: 'contacts'; contacts: Array<Record<string, unknown>> }
  /** A tap on a reply button of an interactive message (context = that message; title defaults to the button's). */
  | { type: 'button_reply'; id: string; title?: string; context: { messageId: string } }
  /** A choice in a list message (context = that message). */
  | { type: 'list_reply'; id: string; title?: string; description?: string; context: { messageId: string } }
  /** A tap on a template quick-reply button (context = that template message). */
  | { type: 'button'; payload?: string; text: string; context: { messageId: string } }
  /** An empty emoji removes the reaction. */
  | { type: 'reaction'; messageId: string; emoji: string }
);

export type ConversationEntry = {
  direction: 'in' | 'out';
  wamid: string;
  type: string;
  /** The message object as it travelled: Meta's request object for 'out', the webhook message for 'in'. */
  body: unknown;
  /** The wamid this message replies to. */
  context?: string;
  status?: string;
  at: string;
};

export type FailureRule = {
  phoneNumberId?: string;
  to?: string;
  /** A Meta error code, or 500 for a bare 5xx (answered as 131000). */
  code: number;
  times?: number;
  /**
   * Override how the failure is reported; by default 131026/131049/131050 come as `failed` statuses.
   * `lost`: the message is accepted and its statuses follow, but the answer never arrives (the
   * connection is cut before it), as when a call times out; `code` is then not used.
   */
  via?: 'response' | 'webhook' | 'lost';
};

export type QualityChange = {
  phoneNumberId: string;
  qualityRating?: 'GREEN' | 'YELLOW' | 'RED';
  messagingLimitTier?: MessagingLimitTier;
  throughputLevel?: 'STANDARD' | 'HIGH';
};

export type MessagingLimitTier = 'TIER_50' | 'TIER_250' | 'TIER_1K' | 'TIER_10K' | 'TIER_100K' | 'TIER_UNLIMITED';

export type SandboxStats = {
  messages: { sent: number; received: number; markedRead: number; byType: Record<string, number> };
  statuses: { sent: number; delivered: number; read: number; failed: number };
  /** Every error the sandbox answered or reported, by Meta error code. */
  violations: Record<string, number>;
  webhooks: { delivered: number; failed: number; retried: number; abandoned: number; pending: number };
  /** How status changes were delivered: POSTs carrying statuses, the changes in them, the most in one. */
  statusDeliveries: { posts: number; changes: number; maxChangesPerPost: number };
  media: { uploaded: number; downloaded: number; deleted: number };
  templates: { created: number; approved: number; rejected: number };
};

/**
 * Who may use a mount's operator routes (the simulator page, the control API, stats). The Graph API
 * routes need no gate: like Meta's, they answer only valid access tokens.
 */
export type OperatorGate = {
  /** Runs before every operator route; it refuses (throws or answers without calling next) whoever the host does not let in. */
  guard: Koa.Middleware;
  /** Headers the simulator must send with each write (e.g. the host's CSRF token), read once the guard let the request in. */
  writeHeaders?: (ctx: Koa.Context) => Record<string, string>;
  /** Headers the simulator sends with its polling (e.g. so the host does not count it as the user's activity). */
  pollHeaders?: Record<string, string>;
};

/** One route of a mount: `graph` routes answer access tokens (or signed URLs), `operator` routes go through the gate. */
export type SandboxRoute = { method: string; path: string; access: 'graph' | 'operator' };

export type SandboxMount = { middleware: Koa.Middleware; routes: SandboxRoute[] };

export type Sandbox = {
  /**
   * Serves the Graph API, the simulator, stats and the control API under `prefix`. Without a gate the
   * operator routes answer loopback clients only (a sandbox on its own port on a developer's machine).
   */
  mount(prefix: string, gate?: OperatorGate): SandboxMount;
  /** `mount(prefix, gate).middleware`. */
  middleware(prefix: string, gate?: OperatorGate): Koa.Middleware;
  /** Standalone server (npm run sandbox): the Graph API is at `${url}/graph`. */
  listen(port: number, host?: string): Promise<{ url: string; close(): Promise<void> }>;
  customerSends(input: { phoneNumberId: string; from: string; profileName?: string; message: CustomerMessage }): Promise<{ wamid: string }>;
  /** Sends many customer messages as one webhook POST (one change each), as Meta may batch them. */
  customerSendsBatch(items: Array<{ phoneNumberId: string; from: string; profileName?: string; message: CustomerMessage }>): Promise<{ wamids: string[] }>;
  /** The simulated customer reads every business message not yet read (used when autoRead is off). */
  customerReads(phoneNumberId: string, waId: string): number;
  conversation(phoneNumberId: string, waId: string): ConversationEntry[];
  stats(): SandboxStats;
  injectFailure(rule: FailureRule): void;
  setThroughput(phoneNumberId: string, mps: number): void;
  /** Status events (sent, delivered, read, failed) scheduled but not yet emitted: 0 once the sandbox is quiet. */
  scheduledEvents(): number;
  /** Changes quality, tier or throughput level and sends `phone_number_quality_update`. */
  setQuality(change: QualityChange): void;
  /** Meta's subscription check: GET webhookUrl?hub.mode=subscribe&hub.verify_token&hub.challenge; ok when the challenge comes back. */
  verifyWebhook(verifyToken: string): Promise<{ ok: boolean; status: number }>;
  close(): Promise<void>;
};
