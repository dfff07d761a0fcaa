/** The closed set of error ids a client may see. Clients branch on these, never on messages. */
export type ErrorId =
  | 'bad_request'
  | 'validation_failed'
  | 'unauthenticated'
  | 'invalid_credentials'
  | 'password_change_required'
  | 'weak_password'
  | 'csrf_failed'
  | 'forbidden'
  | 'grant_exceeds_own_rights'
  | 'target_exceeds_own_rights'
  | 'own_roles_immutable'
  | 'own_account_disable'
  | 'temporary_password_expired'
  | 'not_found'
  | 'row_action_denied'
  | 'claim_required'
  | 'media_missing'
  | 'conflict'
  | 'window_closed'
  | 'channel_unavailable'
  | 'lane_not_paused'
  | 'channel_app_id_missing'
  | 'graph_host_not_allowed'
  | 'access_token_required'
  | 'unknown_media'
  | 'unknown_template'
  | 'whatsapp_refused'
  | 'whatsapp_unavailable'
  | 'blocked_by_policy'
  | 'lexicon_blocked'
  | 'unsafe_regex'
  | 'builtin_role_readonly'
  | 'role_in_use'
  | 'retention_policy_locked'
  | 'erasure_refused'
  | 'contact_restricted'
  | 'rate_card_in_force'
  | 'account_locked'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'service_unavailable'
  | 'internal_error';

/** An error meant for the client: a status, a stable id, a message and optional details. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly id: ErrorId,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * A row that exists but that the user may not see, or may see but not act on. A row they may
 * not see answers exactly like a missing one (404, no details) so ids cannot be probed; a row
 * they can see (`visible`) answers 403 `row_action_denied`, saying so, since hiding what is on
 * their screen would only confuse. Either way the request pipeline records the refusal in the
 * audit log (middleware/auth.ts).
 */
export class RowDenied extends AppError {
  constructor(
    readonly subjectType: string,
    readonly action: string,
    readonly subjectId: string | null,
    readonly visible = false,
    /** A more precise refusal of a visible row than "not allowed" (e.g. claim_required). */
    refusal?: { id: ErrorId; message: string },
  ) {
    super(
      visible ? 403 : 404,
      visible ? (refusal?.id ?? 'row_action_denied') : 'not_found',
      visible ? (refusal?.message ?? `You may see this ${subjectType} but not ${action} it.`) : `${subjectType} not found.`,
      visible ? { permission: `${subjectType}:${action}` } : {},
    );
  }
}

type Details = Record<string, unknown>;

const CHANNEL_UNAVAILABLE = {
  token_invalid: "The number's access token is expired or invalid: an admin must update it.",
  token_refused: "WhatsApp refused the number's access token: an admin must update it.",
  inactive: 'The number is not active.',
} as const;

export const errors = {
  badRequest: (message: string, details?: Details) => new AppError(400, 'bad_request', message, details),
  validation: (message: string, details?: Details) => new AppError(400, 'validation_failed', message, details),
  unauthenticated: (details?: Details) => new AppError(401, 'unauthenticated', 'Sign in to continue.', details),
  /** The session ended for inactivity: same id as any sign-out, with the reason for the UI to show. */
  signedOutIdle: (idleMs: number) =>
    new AppError(401, 'unauthenticated', 'You were signed out after a period of inactivity.', {
      reason: 'idle_timeout',
      idleMinutes: Math.max(1, Math.round(idleMs / 60_000)),
    }),
  invalidCredentials: () => new AppError(401, 'invalid_credentials', 'Email or password is incorrect.'),
  passwordChangeRequired: () =>
    new AppError(403, 'password_change_required', 'Change your password before doing anything else.'),
  weakPassword: (reasons: string[]) =>
    new AppError(400, 'weak_password', 'The new password does not meet the password policy.', { reasons }),
  csrf: () => new AppError(403, 'csrf_failed', 'Missing or invalid CSRF token.'),
  forbidden: (message = 'You are not allowed to do this.') => new AppError(403, 'forbidden', message),
  grantExceedsOwnRights: (missing: string[]) =>
    new AppError(403, 'grant_exceeds_own_rights', 'You can only grant rights that you hold yourself.', { missing }),
  targetExceedsOwnRights: () =>
    new AppError(403, 'target_exceeds_own_rights', 'This user has rights that you do not hold, so you cannot change their account.'),
  ownRolesImmutable: () => new AppError(403, 'own_roles_immutable', 'You cannot change your own roles.'),
  ownAccountDisable: () => new AppError(403, 'own_account_disable', 'You cannot disable your own account. Ask another administrator.'),
  temporaryPasswordExpired: () =>
    new AppError(401, 'temporary_password_expired', 'This temporary password has expired. Ask an administrator to reset it.'),
  notFound: (what = 'Resource') => new AppError(404, 'not_found', `${what} not found.`),
  conflict: (message: string, details?: Details) => new AppError(409, 'conflict', message, details),
  /**
   * 409: a value that must be unique is already used. `path` names the field that holds it
   * (`body.email`) and `code: 'taken'` says why, so a form shows the refusal beside that field.
   */
  taken: (message: string, path: string, hint = 'already used') =>
    new AppError(409, 'conflict', message, { fields: [{ path, message: hint, code: 'taken' }] }),
  /** A locked retention policy (SEC 17a-4 / MiFID II) may only be lengthened, by anyone. */
  retentionPolicyLocked: (details?: Details) =>
    new AppError(409, 'retention_policy_locked', 'This retention policy is locked: it can only be lengthened, never shortened or removed.', details),
  /** Resuming a number's lane that no pause holds. */
  laneNotPaused: () => new AppError(409, 'lane_not_paused', 'This number is not paused.'),
  /** GDPR erasure refused: `reason` is `legal_hold` (details name the case references) or `retention_locked`. */
  erasureRefused: (reason: string, details: Details = {}) =>
    new AppError(409, 'erasure_refused', reason === 'legal_hold'
      ? 'This erasure is refused: a legal hold covers this customer. Their data is now restricted.'
      : 'This erasure is refused: a locked retention period still requires keeping their messages. Their data is now restricted.', { ...details, reason }),
  /** The contact's data is restricted (GDPR Art. 18, after a refused erasure): nothing more is sent to them. */
  contactRestricted: () => new AppError(409, 'contact_restricted', "This customer's data is restricted (GDPR): no message can be sent to them."),
  /** A rate card already in force (or past) is history: spend was costed with it, so it is never changed or removed. */
  rateCardInForce: (effectiveFrom: string) =>
    new AppError(409, 'rate_card_in_force', `This rate card has been in force since ${effectiveFrom}: it can no longer be changed or deleted. Add a new card with a later date instead.`, { effectiveFrom }),
  builtinRoleReadonly: () => new AppError(409, 'builtin_role_readonly', 'Built-in roles cannot be changed.'),
  roleInUse: (userCount: number) =>
    new AppError(409, 'role_in_use', 'The role is still given to users.', { userCount }),
  accountLocked: (retryAfterSeconds: number) =>
    new AppError(423, 'account_locked', 'Too many failed sign-ins. The account is locked for a while.', {
      retryAfterSeconds,
    }),
  payloadTooLarge: (limit: number) =>
    new AppError(413, 'payload_too_large', `The request body is larger than ${limit} bytes.`, { limit }),
  unsupportedMediaType: () =>
    new AppError(415, 'unsupported_media_type', 'Send the body as application/json.'),
  rateLimited: (retryAfterSeconds: number) =>
    new AppError(429, 'rate_limited', 'Too many requests. Try again later.', { retryAfterSeconds }),
  unavailable: () => new AppError(503, 'service_unavailable', 'The service is temporarily unavailable.'),
  /** An HTTP error raised by a library (Koa, the router) with a message meant to be shown. */
  exposed: (status: number, message: string) => new AppError(status, status === 404 ? 'not_found' : 'bad_request', message),
  /** Anything unexpected: the message never says what went wrong, the log does (under `requestId`). */
  internal: (requestId: string) =>
    new AppError(500, 'internal_error', 'Something went wrong. The error was logged with this request id.', { requestId }),

  // Webhooks from WhatsApp.
  badSignature: () => new AppError(401, 'unauthenticated', 'Invalid X-Hub-Signature-256.'),
  unknownNumber: () =>
    new AppError(403, 'forbidden', 'The payload names a number or WABA this appliance does not serve with that app.'),

  // Numbers (channels) and their Graph API settings.
  graphHostNotAllowed: (refusal: string) =>
    new AppError(400, 'graph_host_not_allowed', `The Graph API base URL ${refusal}.`, { fields: [{ path: 'body.graphBaseUrl', message: refusal }] }),
  accessTokenRequired: () =>
    new AppError(400, 'access_token_required', 'Enter the access token again to change the Graph API base URL.', {
      fields: [{ path: 'body.accessToken', message: 'required when graphBaseUrl changes' }],
    }),
  /** The number may not call WhatsApp: its token is known bad (`token_invalid`), WhatsApp just refused it (`token_refused`), or it is off. */
  channelUnavailable: (reason: 'token_invalid' | 'token_refused' | 'inactive', details?: Details) =>
    new AppError(409, 'channel_unavailable', CHANNEL_UNAVAILABLE[reason], details),
  channelAppIdMissing: () =>
    new AppError(409, 'channel_app_id_missing', "Set the number's Meta App ID first: WhatsApp takes template sample files through the app's upload API."),

  // Sending and media.
  windowClosed: () => new AppError(409, 'window_closed', 'The 24-hour window is closed: send an approved template.'),
  unknownMedia: (path: string) =>
    new AppError(400, 'unknown_media', 'Unknown file: upload it first.', { fields: [{ path, message: 'not your upload nor a file of this conversation' }] }),
  /** `code` words the field's refusal for another form than the inbox's (the panel's fieldErrors.code.<code>). */
  unknownTemplate: (path = 'body.templateId', code?: string) =>
    new AppError(400, 'unknown_template', "Unknown or unapproved template for this conversation's number.", {
      fields: [{ path, message: 'not an approved template of this number', ...(code ? { code } : {}) }],
    }),
  /**
   * A conversation waiting in the queue: whoever takes work from it claims it before replying.
   * A refusal on a row the user sees, so it is audited like one (permission Conversation:claim).
   */
  claimRequired: (conversationId: string) =>
    new RowDenied('Conversation', 'claim', conversationId, true, {
      id: 'claim_required',
      message: 'This conversation is waiting in the queue: claim it before replying.',
    }),
  mediaMissing: () => new AppError(410, 'media_missing', 'The file is no longer in the media store.'),
  /** The outbound lexicon blocks the message: the agent is told which terms, to rephrase it. */
  /** An auto-reply rule's regular expression is invalid or could take too long on a crafted message (ReDoS). */
  unsafeRegex: (path: string, reason: string, message: string) =>
    new AppError(400, 'unsafe_regex', `This regular expression cannot be used: ${message}.`, { reason, fields: [{ path, message, code: reason }] }),
  lexiconBlocked: (terms: string[], path = 'body.text') =>
    new AppError(422, 'lexicon_blocked', `This message cannot be sent: it contains ${terms.map((t) => `"${t}"`).join(', ')}, which the compliance lexicon blocks.`, {
      terms,
      fields: [{ path, message: `contains ${terms.join(', ')}` }],
    }),

  // WhatsApp's answers, as the client sees them.
  /** `what` names the thing WhatsApp could not take ("the template"); without it, WhatsApp could not be reached. */
  whatsappUnavailable: (what?: string, details?: Details) =>
    new AppError(
      502,
      'whatsapp_unavailable',
      what ? `WhatsApp could not take ${what} right now. Try again in a moment.` : 'WhatsApp could not be reached. Try again in a moment.',
      details,
    ),
  whatsappRateLimited: (retryAfterSeconds: number, details?: Details) =>
    new AppError(429, 'rate_limited', 'WhatsApp is limiting requests for this account. Try again later.', { ...details, retryAfterSeconds }),
  whatsappRefused: (what: string, reason: string, details?: Details) =>
    new AppError(422, 'whatsapp_refused', `WhatsApp refused ${what}: ${reason}`, { ...details, reason }),
};
