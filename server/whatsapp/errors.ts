// Graph API errors, classified by Meta's error code. The HTTP status Meta pairs with a code is
// not firmly documented (older tables answer 400 for rate limits and 500 for 131000), so the
// code decides and the HTTP status only breaks ties for codes we do not know.

/** What a sender should do about a failed call. */
export type ErrorClassification =
  | 'retry'
  | 'rate_limited'
  | 'window_closed'
  | 'undeliverable'
  | 'token_invalid'
  | 'spam_limited'
  | 'user_opted_out'
  | 'marketing_limit'
  | 'template_error'
  | 'invalid_request';

/** Meta error codes the connector reacts to by name. */
export const GRAPH_CODES = {
  network: 0, // not Meta's: no HTTP answer at all (refused, reset, timeout)
  unknown: 1,
  temporarilyUnavailable: 2,
  appRateLimit: 4, // Graph API calls per app (management endpoints)
  invalidParameter: 100,
  tokenInvalid: 190,
  wabaRateLimit: 80007, // Graph API calls per WABA (management endpoints)
  throughput: 130429, // per-number messages per second reached
  genericUserError: 131000,
  recipientUndeliverable: 131026,
  windowClosed: 131047,
  spamRate: 131048,
  marketingLimit: 131049,
  userStoppedMarketing: 131050,
  pairRate: 131056, // one message per 6 s to the same user
  throughputUpgrade: 131057, // during the minute a number moves to higher throughput
  parameterMissing: 131008,
  parameterInvalid: 131009,
  serviceUnavailable: 131016,
  templateFirst: 132000,
  templateLast: 132016,
} as const;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The classification of a Graph API error code, with the HTTP status as a fallback only. */
export function classifyError(code: number, httpStatus: number, isTransient = false): ErrorClassification {
  switch (code) {
    case GRAPH_CODES.network:
      // No HTTP answer at all, or a 2xx we could not read, is worth retrying (after reconciling);
      // an HTTP error without a Graph error body (a proxy's HTML page) falls through to the status.
      if (httpStatus === 0 || (httpStatus >= 200 && httpStatus < 300)) {
        return 'retry';
      }
      break;
    case GRAPH_CODES.temporarilyUnavailable:
    case GRAPH_CODES.genericUserError:
    case GRAPH_CODES.serviceUnavailable:
      return 'retry';
    case GRAPH_CODES.throughput:
    case GRAPH_CODES.pairRate:
    case GRAPH_CODES.throughputUpgrade:
    case GRAPH_CODES.appRateLimit:
    case GRAPH_CODES.wabaRateLimit:
      return 'rate_limited';
    case GRAPH_CODES.windowClosed:
      return 'window_closed';
    case GRAPH_CODES.recipientUndeliverable:
      return 'undeliverable';
    case GRAPH_CODES.tokenInvalid:
      return 'token_invalid';
    case GRAPH_CODES.spamRate:
      return 'spam_limited';
    case GRAPH_CODES.userStoppedMarketing:
      return 'user_opted_out';
    case GRAPH_CODES.marketingLimit:
      return 'marketing_limit';
    case GRAPH_CODES.invalidParameter:
    case GRAPH_CODES.parameterMissing:
    case GRAPH_CODES.parameterInvalid:
      return 'invalid_request';
    default:
      break;
  }
  if (code >= GRAPH_CODES.templateFirst && code <= GRAPH_CODES.templateLast) {
    return 'template_error';
  }
  if (httpStatus === 429) {
    return 'rate_limited';
  }
  if (httpStatus >= 500 || isTransient) {
    return 'retry';
  }
  return 'invalid_request';
}

/** Whether a classification may succeed later without anyone changing anything. */
export function isRetryable(classification: ErrorClassification): boolean {
  return classification === 'retry' || classification === 'rate_limited';
}

/**
 * How long to wait before the attempt-th retry (1-based) after this error code, or null when
 * waiting alone does not help. `regainAccessMinutes` is Meta's own estimate from the
 * `x-business-use-case-usage` header, when it sent one.
 */
export function backoffHintMs(code: number, attempt = 1, regainAccessMinutes?: number): number | null {
  const n = Math.max(1, Math.floor(attempt));
  switch (code) {
    case GRAPH_CODES.pairRate:
      // Meta's advice for 131056: wait 4^n seconds on the n-th retry.
      return Math.min(4 ** n * SECOND, HOUR);
    case GRAPH_CODES.throughput:
      // Per-second throughput: a second's pause lets the per-number bucket refill.
      return Math.min(SECOND * 2 ** (n - 1), MINUTE);
    case GRAPH_CODES.throughputUpgrade:
      return MINUTE; // the upgrade takes about a minute
    case GRAPH_CODES.appRateLimit:
    case GRAPH_CODES.wabaRateLimit:
      // Hourly budgets (200 or 5,000 calls per hour): Meta's estimate when given, else minutes.
      if (regainAccessMinutes !== undefined && regainAccessMinutes > 0) {
        return Math.min(regainAccessMinutes * MINUTE, HOUR);
      }
      return Math.min(MINUTE * 2 ** (n - 1), HOUR);
    case GRAPH_CODES.marketingLimit:
      return 24 * HOUR; // per-user marketing cap: try again the next day at the earliest
    case GRAPH_CODES.network:
    case GRAPH_CODES.temporarilyUnavailable:
    case GRAPH_CODES.genericUserError:
    case GRAPH_CODES.serviceUnavailable:
      return Math.min(SECOND * 2 ** (n - 1), 5 * MINUTE);
    default:
      return null;
  }
}

/** The fields of a Graph API error, as Meta sends them under `error`. */
export interface GraphApiErrorInit {
  httpStatus: number;
  code: number;
  subcode?: number | null;
  type?: string | null;
  title: string;
  message: string;
  details?: string | null;
  fbtraceId?: string | null;
  isTransient?: boolean;
  regainAccessMinutes?: number;
  /** True when the request may have reached Meta (timeout or reset after sending). */
  outcomeUnknown?: boolean;
}

/** A failed Graph API call: Meta's error fields plus what to do about it. */
export class GraphApiError extends Error {
  override readonly name = 'GraphApiError';
  readonly httpStatus: number;
  readonly code: number;
  readonly subcode: number | null;
  readonly type: string | null;
  readonly title: string;
  readonly details: string | null;
  readonly fbtraceId: string | null;
  readonly classification: ErrorClassification;
  /** Suggested wait before the first retry, or null when waiting alone does not help. */
  readonly backoffMs: number | null;
  readonly retryable: boolean;
  /** The request may have been executed by Meta (e.g. a send that timed out): reconcile, do not blindly resend. */
  readonly outcomeUnknown: boolean;

  constructor(init: GraphApiErrorInit) {
    super(init.message);
    this.httpStatus = init.httpStatus;
    this.code = init.code;
    this.subcode = init.subcode ?? null;
    this.type = init.type ?? null;
    this.title = init.title;
    this.details = init.details ?? null;
    this.fbtraceId = init.fbtraceId ?? null;
    this.classification = classifyError(init.code, init.httpStatus, init.isTransient ?? false);
    this.backoffMs = isRetryable(this.classification) || this.classification === 'marketing_limit'
      ? backoffHintMs(init.code, 1, init.regainAccessMinutes)
      : null;
    this.retryable = isRetryable(this.classification);
    this.outcomeUnknown = init.outcomeUnknown ?? false;
  }
}

/** Why an outbound message was refused before reaching Meta. */
export type InvalidMessageReason =
  | 'empty'
  | 'too_long'
  | 'too_many'
  | 'too_few'
  | 'duplicate'
  | 'invalid'
  | 'not_allowed';

/** A message body that breaks one of Meta's documented limits; thrown by the builders in messages.ts. */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
  constructor(
    readonly reason: InvalidMessageReason,
    /** The offending field, as a path in the request body (e.g. `interactive.action.buttons[1].reply.title`). */
    readonly field: string,
    message: string,
    readonly limit: number | null = null,
  ) {
    super(message);
  }
}

/** A media download larger than the caller's cap; the transfer is aborted as soon as it is known. */
export class MediaTooLargeError extends Error {
  override readonly name = 'MediaTooLargeError';
  constructor(readonly maxBytes: number, readonly announcedBytes: number | null) {
    super(`media exceeds ${maxBytes} bytes`);
  }
}
