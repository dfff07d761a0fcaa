import type { Actor } from '../../lib/actor';
import type { AppError } from '../../lib/errors';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { encryptSecret } from '../../lib/secrets';
import type { Services } from '../../services';
import type { CallOutcome } from './caller';
import { headerAad, runIntegration } from './lookup';
import {
  deleteIntegration, findIntegration, insertIntegration, lockIntegration, nameTaken, updateIntegration,
  type IntegrationColumns, type IntegrationRow, type StoredHeader,
} from './repo';
import type { CreateIntegrationInput, HeaderInput, UpdateIntegrationInput } from './schema';
import type { LookupVars } from './templates';

type Field = { path: string; message: string; code?: string };

/** Records a refused change as denied (with the fields, never their values) and answers the error to throw. */
async function denied(s: Services, actor: Actor, id: string | null, err: AppError): Promise<AppError> {
  const fields = Array.isArray(err.details.fields) ? (err.details.fields as Field[]).map((f) => f.path) : [];
  await s.audit.record(actor, { action: 'access.denied', subjectType: 'Integration', subjectId: id, details: { reason: err.id, fields } });
  return err;
}

/**
 * The headers to store: plain ones as given, secret ones sealed. A secret given without a value
 * keeps the stored one of that name; there must be one.
 */
function storeHeaders(masterKey: Buffer, id: string, input: HeaderInput[], before: StoredHeader[]): { headers: StoredHeader[]; kept: string[]; missing: Field[] } {
  const previous = new Map(before.flatMap((h) => (h.secret ? [[h.name.toLowerCase(), h.sealed] as const] : [])));
  const kept: string[] = [];
  const missing: Field[] = [];
  const headers = input.map((h, i): StoredHeader => {
    if (!h.secret) {
      return { name: h.name, secret: false, value: h.value ?? '' };
    }
    if (h.value !== undefined) {
      return { name: h.name, secret: true, sealed: encryptSecret(masterKey, h.value, headerAad(id, h.name)) };
    }
    const sealed = previous.get(h.name.toLowerCase());
    if (sealed === undefined) {
      missing.push({ path: `body.headers.${i}.value`, message: 'Enter the secret value: none is stored for this header yet.', code: 'secret_required' });
      return { name: h.name, secret: true, sealed: '' };
    }
    kept.push(h.name);
    return { name: h.name, secret: true, sealed };
  });
  return { headers, kept, missing };
}

/** GET sends no body; POST sends its JSON template. */
function methodProblem(method: 'GET' | 'POST', bodyTemplate: string | null): Field | null {
  if (method === 'GET' && bodyTemplate !== null) {
    return { path: 'body.bodyTemplate', message: 'A GET request has no body: leave it empty or use POST.', code: 'get_no_body' };
  }
  if (method === 'POST' && bodyTemplate === null) {
    return { path: 'body.bodyTemplate', message: 'A POST request needs a JSON body template.', code: 'post_needs_body' };
  }
  return null;
}

const headerNames = (headers: StoredHeader[], secret: boolean) => headers.filter((h) => h.secret === secret).map((h) => h.name);
const originOf = (template: string) => /^[a-z]+:\/\/[^/?#]+/i.exec(template)?.[0].toLowerCase() ?? template;

/** Checks what a create or a change would store; throws (audited as denied) when it may not be. */
async function assertStorable(s: Services, actor: Actor, trx: Parameters<typeof nameTaken>[0], id: string | null, row: IntegrationColumns, missing: Field[]): Promise<void> {
  const fields = [...missing];
  // The egress policy of this process (https to public hosts; loopback only where allowed).
  const refusal = s.integrations.urlRefusal(row.url.replace(/\{\{[^{}]*\}\}/g, 'x'));
  if (refusal) {
    fields.push({ path: 'body.url', message: `The URL ${refusal}.`, code: 'url_not_allowed' });
  }
  const method = methodProblem(row.method, row.body_template);
  if (method) {
    fields.push(method);
  }
  if (fields.length > 0) {
    throw await denied(s, actor, id, errors.validation('Some fields are missing or do not fit together.', { fields }));
  }
  if (await nameTaken(trx, row.name, id)) {
    throw await denied(s, actor, id, errors.taken('Another integration already has this name.', 'body.name'));
  }
}

/** Adds an integration; audited with its name, host and header names (never a header value). */
export async function createIntegration(s: Services, actor: Actor, input: CreateIntegrationInput): Promise<IntegrationRow> {
  const id = newId();
  const { headers, missing } = storeHeaders(s.masterKey, id, input.headers, []);
  const row: IntegrationColumns = {
    name: input.name, url: input.url, method: input.method, headers, body_template: input.bodyTemplate,
    response_template: input.responseTemplate, enabled: input.enabled, timeout_ms: input.timeoutMs,
  };
  return s.db.transaction(async (trx) => {
    await assertStorable(s, actor, trx, null, row, missing);
    await insertIntegration(trx, { ...row, id, created_by: actor.id });
    await s.audit.appendIn(trx, actor, [{
      action: 'integration.created', subjectType: 'Integration', subjectId: id,
      details: { name: row.name, host: originOf(row.url), method: row.method, headers: headerNames(headers, false), secretHeaders: headerNames(headers, true), enabled: row.enabled },
    }]);
    return (await findIntegration(trx, id))!;
  });
}

const COLUMN_OF = {
  name: 'name', url: 'url', method: 'method', bodyTemplate: 'body_template', responseTemplate: 'response_template', enabled: 'enabled', timeoutMs: 'timeout_ms',
} as const;

/**
 * Changes an integration; audited with the names of the fields that changed. Moving it to another
 * host needs its secret header values entered again: whoever may edit it cannot send the stored
 * API keys somewhere new.
 */
export async function changeIntegration(s: Services, actor: Actor, id: string, input: UpdateIntegrationInput): Promise<IntegrationRow> {
  return s.db.transaction(async (trx) => {
    const before = await lockIntegration(trx, id);
    if (!before) {
      throw errors.notFound('Integration');
    }
    const stored = input.headers ? storeHeaders(s.masterKey, id, input.headers, before.headers) : { headers: before.headers, kept: headerNames(before.headers, true), missing: [] };
    const changes: Partial<IntegrationColumns> = {};
    for (const [field, column] of Object.entries(COLUMN_OF) as Array<[keyof typeof COLUMN_OF, (typeof COLUMN_OF)[keyof typeof COLUMN_OF]]>) {
      if (input[field] !== undefined && input[field] !== before[column]) {
        Object.assign(changes, { [column]: input[field] });
      }
    }
    // Switching to GET drops the body it can no longer send, unless a new one was given (then it is refused).
    if (changes.method === 'GET' && input.bodyTemplate === undefined) {
      changes.body_template = null;
    }
    const missing = [...stored.missing];
    if (changes.url !== undefined && originOf(changes.url) !== originOf(before.url) && stored.kept.length > 0) {
      missing.push(...stored.kept.map((name) => ({ path: 'body.headers', message: `Enter the value of ${name} again to send it to a new host.`, code: 'secret_reenter' })));
    }
    const after: IntegrationColumns = { ...before, ...changes, headers: stored.headers };
    await assertStorable(s, actor, trx, id, after, missing);
    const headersChanged = input.headers !== undefined && JSON.stringify(input.headers.map((h) => [h.name, h.secret, h.secret ? h.value !== undefined : h.value]))
      !== JSON.stringify(before.headers.map((h) => [h.name, h.secret, h.secret ? false : h.value]));
    const fields = [...Object.keys(changes).map((c) => Object.entries(COLUMN_OF).find(([, col]) => col === c)![0]), ...(headersChanged ? ['headers'] : [])];
    if (fields.length === 0) {
      return before;
    }
    await updateIntegration(trx, id, { ...changes, ...(headersChanged ? { headers: stored.headers } : {}) });
    await s.audit.appendIn(trx, actor, [{
      action: 'integration.updated', subjectType: 'Integration', subjectId: id,
      details: {
        name: after.name, fields,
        ...(headersChanged ? { headers: headerNames(stored.headers, false), secretHeaders: headerNames(stored.headers, true), secretsReplaced: (input.headers ?? []).filter((h) => h.secret && h.value !== undefined).map((h) => h.name) } : {}),
      },
    }]);
    return (await findIntegration(trx, id))!;
  });
}

/** Deletes an integration; rules that call it then hand their conversations to a person (`unknown_integration`). */
export async function removeIntegration(s: Services, actor: Actor, id: string): Promise<void> {
  await s.db.transaction(async (trx) => {
    const before = await lockIntegration(trx, id);
    if (!before) {
      throw errors.notFound('Integration');
    }
    await deleteIntegration(trx, id);
    await s.audit.appendIn(trx, actor, [{ action: 'integration.deleted', subjectType: 'Integration', subjectId: id, details: { name: before.name } }]);
  });
}

/** Runs an integration with sample values and says what a customer would get; audited with the outcome only (not the values). */
export async function testIntegration(s: Services, actor: Actor, row: IntegrationRow, vars: LookupVars): Promise<CallOutcome> {
  const outcome = await runIntegration(s, row, vars);
  await s.audit.record(actor, {
    action: 'integration.tested', subjectType: 'Integration', subjectId: row.id,
    details: { name: row.name, ok: outcome.ok, reason: outcome.ok ? null : outcome.reason, status: outcome.status ?? null },
  });
  return outcome;
}
