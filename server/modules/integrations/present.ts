import type { IntegrationRow } from './repo';

// What a secret header shows: that it is there, never what it is.
export const SECRET_MASK = '••••';

/** An integration as the API answers it: secret header values masked, never returned in clear. */
export function presentIntegration(row: IntegrationRow) {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    method: row.method,
    headers: row.headers.map((h) => (h.secret ? { name: h.name, secret: true, value: SECRET_MASK, set: h.sealed !== '' } : { name: h.name, secret: false, value: h.value, set: true })),
    bodyTemplate: row.body_template,
    responseTemplate: row.response_template,
    enabled: row.enabled,
    timeoutMs: row.timeout_ms,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
