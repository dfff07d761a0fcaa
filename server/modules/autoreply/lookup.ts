// The contract between an auto-reply rule that answers from an integration ("bot lookup") and
// the integrations module that makes the HTTPS call and fills the answer's template. The
// integrations module provides the runner; this module only calls it and sends what it returns.

/** What a lookup may use of the customer's message. */
export type LookupVars = { waId: string; text: string; contactName: string | null };

/** What a lookup answers: the text to send, or why there is none (the conversation then goes to a human). */
export type LookupResult =
  | { ok: true; text: string }
  | { ok: false; reason: 'timeout' | 'http_error' | 'bad_response' | 'unknown_integration' | 'disabled' };

/** Runs a configured integration for a message (2 s budget, enforced by the runner). */
export type LookupRunner = (integrationId: string, vars: LookupVars) => Promise<LookupResult>;

/** The runner until integrations are configured: every lookup hands the conversation to a human. */
export const noIntegrations: LookupRunner = async () => ({ ok: false, reason: 'unknown_integration' });
