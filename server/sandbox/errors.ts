import { randomBytes } from 'node:crypto';

/**
 * Meta's error codes as the sandbox reports them. Titles and details follow Meta's error-code
 * reference. The HTTP status of each code is not firmly documented by Meta (an older table gives
 * 400 for rate limits and window errors, 401 for code 190, 500 for 131000/131016); clients must
 * branch on `code`, so the statuses here are only plausible.
 */
type CatalogueEntry = { title: string; details: string; http: number; transient?: boolean };

const CATALOGUE: Record<number, CatalogueEntry> = {
  1: { title: 'An unknown error occurred', details: 'An unknown error occurred.', http: 500, transient: true },
  2: { title: 'Service temporarily unavailable', details: 'Service temporarily unavailable.', http: 500, transient: true },
  4: { title: 'Application request limit reached', details: 'Too many API calls from this app.', http: 400 },
  100: { title: 'Invalid parameter', details: 'Invalid parameter.', http: 400 },
  190: { title: 'Invalid OAuth access token - Cannot parse access token', details: 'The access token is invalid or has expired.', http: 401 },
  2500: { title: 'Unknown path components', details: 'Unknown path components.', http: 400 },
  80007: { title: 'Rate limit issues', details: 'The WhatsApp Business Account has reached its rate limit.', http: 400 },
  130429: { title: 'Rate limit hit', details: 'Cloud API message throughput has been reached.', http: 429 },
  131000: { title: 'Something went wrong', details: 'Something went wrong.', http: 500, transient: true },
  131008: { title: 'Required parameter is missing', details: 'A required parameter is missing.', http: 400 },
  131009: { title: 'Parameter value is not valid', details: 'A parameter value is not valid.', http: 400 },
  131016: { title: 'Service unavailable', details: 'A service is temporarily unavailable.', http: 500, transient: true },
  131021: { title: 'Recipient cannot be sender', details: 'The recipient is the sending phone number.', http: 400 },
  131026: { title: 'Message undeliverable', details: 'Message Undeliverable.', http: 400 },
  131031: { title: 'Account has been locked', details: 'The business account is locked.', http: 400 },
  131047: {
    title: 'Re-engagement message',
    details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    http: 400,
  },
  131048: {
    title: 'Spam rate limit hit',
    details: 'Message failed to send because there are restrictions on how many messages can be sent from this phone number. This may be because too many previous messages were blocked or flagged as spam.',
    http: 400,
  },
  131049: { title: 'This message was not delivered to maintain healthy ecosystem engagement.', details: 'Message not delivered to maintain healthy ecosystem engagement.', http: 400 },
  131050: { title: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.', details: 'The user stopped marketing messages.', http: 400 },
  131051: { title: 'Unsupported message type', details: 'Message type is not currently supported.', http: 400 },
  131052: { title: 'Media download error', details: 'Unable to download the media sent by the user.', http: 400 },
  131053: { title: 'Media upload error', details: 'Unable to upload the media used in the message.', http: 400 },
  131056: {
    title: '(Business Account, Consumer Account) pair rate limit hit',
    details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
    http: 429,
  },
  132000: { title: 'Number of parameters does not match the expected number of params', details: 'The number of parameters does not match the template.', http: 400 },
  132001: { title: 'Template name does not exist in the translation', details: 'Template name does not exist in the translation.', http: 404 },
  132005: { title: 'Translated text too long', details: 'Translated text is too long.', http: 400 },
  132007: { title: 'Template Format Character Policy Violated', details: 'Template content violates a WhatsApp policy.', http: 400 },
  132012: { title: 'Template Parameter Format Mismatch', details: 'Variable parameter values formatted incorrectly.', http: 400 },
  132015: { title: 'Template is Paused', details: 'The template is paused due to low quality.', http: 400 },
  132016: { title: 'Template is Disabled', details: 'The template has been disabled due to low quality.', http: 400 },
};

/** Codes the live Cloud API reports through a `failed` status webhook rather than the send response. */
export const ASYNC_CODES = new Set([131026, 131049, 131050, 131052, 131053]);

/** A Graph API error: thrown by the sandbox's handlers, answered in Meta's shape. */
export class GraphError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
    readonly httpStatus: number,
    readonly title: string,
    readonly extra: { subcode?: number; type?: string; transient?: boolean; userTitle?: string; userMsg?: string } = {},
  ) {
    super(title);
  }
}

/** The error for a Meta code, with its catalogue title and the given (or catalogue) details. */
export function metaError(code: number, details?: string, extra: GraphError['extra'] = {}): GraphError {
  const entry = CATALOGUE[code] ?? { title: 'Unknown error', details: 'Unknown error.', http: 400 };
  return new GraphError(code, details ?? entry.details, entry.http, entry.title, { transient: entry.transient, ...extra });
}

/** Graph's answer for an id that names nothing the caller may use (code 100, subcode 33). */
export function unknownObject(id: string, method: 'get' | 'post' | 'delete'): GraphError {
  return metaError(
    100,
    `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    { subcode: 33, type: 'GraphMethodException' },
  );
}

/** Title and details for a `failed` status webhook's errors[] entry. */
export function statusError(code: number, details?: string): { code: number; title: string; message: string; error_data: { details: string }; href: string } {
  const entry = CATALOGUE[code] ?? { title: 'Unknown error', details: 'Unknown error.', http: 400 };
  return {
    code,
    title: entry.title,
    message: entry.title,
    error_data: { details: details ?? entry.details },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  };
}

/** A trace id in the style of Graph's `fbtrace_id`. */
export function fbtraceId(): string {
  return randomBytes(16).toString('base64').replace(/[+/=]/g, '').slice(0, 23);
}

/**
 * Meta's error body: `{error: {message: '(#code) title', type, code, error_data: {messaging_product,
 * details}, fbtrace_id}}`. Codes 190 and 2500 have no `(#code)` prefix in Meta's answers.
 */
export function graphErrorBody(err: GraphError): Record<string, unknown> {
  const error: Record<string, unknown> = {
    message: err.code === 190 ? err.title : err.code === 2500 ? err.details : `(#${err.code}) ${err.title}`,
    type: err.extra.type ?? 'OAuthException',
    code: err.code,
  };
  if (err.extra.subcode !== undefined) {
    error.error_subcode = err.extra.subcode;
  }
  if (err.extra.transient) {
    error.is_transient = true;
  }
  if (err.extra.userTitle) {
    error.error_user_title = err.extra.userTitle;
    error.error_user_msg = err.extra.userMsg ?? err.details;
  }
  error.error_data = { messaging_product: 'whatsapp', details: err.details };
  error.fbtrace_id = fbtraceId();
  return { error };
}
