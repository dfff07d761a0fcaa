// Running an integration: its row's templates filled with the conversation's values, its secret
// headers opened, the call made, and the answer filled from the JSON it returned.
import { decryptSecret } from '../../lib/secrets';
import type { Services } from '../../services';
import type { CallOutcome, LookupResult, PreparedCall } from './caller';
import { findIntegration, type IntegrationRow } from './repo';
import { fillAnswer, fillBody, fillUrl, type LookupVars } from './templates';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A WhatsApp text message holds at most 4,096 characters.
const ANSWER_MAX_CHARS = 4096;

// Secrets are sealed with the integration and header name as associated data: a sealed value
// copied to another integration, or to another header, does not open.
export const headerAad = (integrationId: string, headerName: string) => `integration:${integrationId}:header:${headerName.toLowerCase()}`;

/** The request an integration makes for these values; null when the values would bend the URL. */
export function prepareCall(masterKey: Buffer, row: IntegrationRow, vars: LookupVars): PreparedCall | null {
  const url = fillUrl(row.url, vars);
  if (url === null) {
    return null;
  }
  const headers = Object.fromEntries(
    row.headers.map((h) => [h.name, h.secret ? decryptSecret(masterKey, h.sealed, headerAad(row.id, h.name)) : h.value]),
  );
  const body = row.method === 'POST' && row.body_template !== null ? fillBody(row.body_template, vars) : null;
  return { url, method: row.method, headers, body, timeoutMs: row.timeout_ms };
}

/** Runs a loaded integration, enabled or not (the "Test" button runs a disabled one too). */
export async function runIntegration(s: Services, row: IntegrationRow, vars: LookupVars): Promise<CallOutcome> {
  let prepared: PreparedCall | null;
  try {
    prepared = prepareCall(s.masterKey, row, vars);
  } catch {
    // A secret that no longer opens (the master key changed): an admin must enter it again.
    s.metrics.integrationCalls.inc({ outcome: 'http_error' });
    return { ok: false, reason: 'http_error', detail: 'A secret header cannot be decrypted: enter its value again.' };
  }
  if (!prepared) {
    s.metrics.integrationCalls.inc({ outcome: 'http_error' });
    return { ok: false, reason: 'http_error', detail: 'The values would change the path of the URL ("." or "..").' };
  }
  const answer = await s.integrations.call(prepared);
  if (!answer.ok) {
    // The reason and status only: never the URL (it may hold the customer's number) nor the text.
    s.log.warn({ integrationId: row.id, reason: answer.reason, status: answer.status }, 'integration lookup failed');
    return answer;
  }
  const filled = fillAnswer(row.response_template, answer.json);
  if ('missing' in filled) {
    s.log.warn({ integrationId: row.id, reason: 'bad_response', missing: filled.missing }, 'integration answer lacks fields');
    return { ok: false, reason: 'bad_response', status: answer.status, detail: `The answer has no ${filled.missing.join(', ')}.` };
  }
  const text = filled.text.trim();
  if (text === '' || text.length > ANSWER_MAX_CHARS) {
    return { ok: false, reason: 'bad_response', status: answer.status, detail: text === '' ? 'The filled answer is empty.' : `The filled answer is longer than ${ANSWER_MAX_CHARS} characters.` };
  }
  return { ok: true, text, status: answer.status };
}

/**
 * The bot lookup an auto-reply rule calls (answer kind `lookup`): the filled answer, or why there
 * is none, in which case the caller hands the conversation to a person. Never throws for the
 * integration's sake; at most 2 s.
 */
export async function runLookup(s: Services, integrationId: string, vars: LookupVars): Promise<LookupResult> {
  const row = UUID.test(integrationId) ? await findIntegration(s.db, integrationId) : undefined;
  if (!row) {
    return { ok: false, reason: 'unknown_integration' };
  }
  if (!row.enabled) {
    return { ok: false, reason: 'disabled' };
  }
  const outcome = await runIntegration(s, row, vars);
  return outcome.ok ? { ok: true, text: outcome.text } : { ok: false, reason: outcome.reason };
}
