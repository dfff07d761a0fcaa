import { z } from 'zod';
import { MAX_TIMEOUT_MS } from './caller';
import { badResponsePlaceholders, bodyTemplateProblem, urlTemplateProblem } from './templates';

export const idParams = z.strictObject({ id: z.uuid() });

// Headers the HTTP client sets itself, or that would change how the request is framed or routed.
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect', 'content-type']);
// RFC 9110 token characters.
const headerName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'A header name is letters, digits and - (e.g. X-Api-Key).')
  .refine((n) => !RESERVED_HEADERS.has(n.toLowerCase()) && !n.toLowerCase().startsWith('proxy-'), { message: 'This header is set by Switchboard itself.', params: { rule: 'header_reserved' } });
const headerValue = z
  .string()
  .max(2000)
  .refine((v) => !/[\r\n\0]/.test(v), { message: 'A header value is one line.', params: { rule: 'single_line' } })
  // HTTP/1.1 clients refuse other characters in header values; say so when saving, not at the first call.
  .refine((v) => /^[\t\x20-\x7e\r\n\0]*$/.test(v), { message: 'A header value holds printable ASCII characters only.', params: { rule: 'header_value_ascii' } });

/**
 * A header to send. A secret one (an API key) is stored encrypted and never shown again; on a
 * change, leaving its value out keeps the stored one.
 */
export const headerInput = z
  .strictObject({ name: headerName, secret: z.boolean().default(false), value: headerValue.optional() })
  .refine((h) => h.secret || h.value !== undefined, { message: 'A header that is not secret needs its value.', path: ['value'], params: { rule: 'header_needs_value' } });
export type HeaderInput = z.infer<typeof headerInput>;

const headers = z
  .array(headerInput)
  .max(20)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((h, i) => {
      const key = h.name.toLowerCase();
      if (seen.has(key)) {
        ctx.addIssue({ code: 'custom', message: 'This header is already in the list.', path: [i, 'name'], params: { rule: 'header_duplicate' } });
      }
      seen.add(key);
    });
  });

/** A check of one template, reported under its rule's name (the panel words it in the user's language). */
const problem = (check: (v: string) => string | null, what: string, rule: string) => (value: string, ctx: z.RefinementCtx) => {
  const found = check(value);
  if (found) {
    ctx.addIssue({ code: 'custom', message: `The ${what} ${found}.`, params: { rule } });
  }
};

const url = z.string().trim().min(1).max(2000).superRefine(problem(urlTemplateProblem, 'URL', 'integration_url'));
const bodyTemplate = z.string().trim().min(1).max(16_000).superRefine(problem(bodyTemplateProblem, 'request body', 'integration_body'));
// WhatsApp takes at most 4,096 characters of text; the filled answer is checked again.
const responseTemplate = z
  .string()
  .trim()
  .min(1)
  .max(4096)
  .superRefine(problem((t) => {
    const bad = badResponsePlaceholders(t);
    return bad.length > 0 ? `has placeholders that are not field paths: ${bad.map((b) => `{{${b}}}`).join(', ')} (write {{order.status}})` : null;
  }, 'answer', 'integration_answer'));

const fields = {
  name: z.string().trim().min(1).max(80),
  url,
  method: z.enum(['GET', 'POST']),
  headers,
  /** JSON text with {{wa_id}}, {{text}}, {{contact_name}} inside strings; POST only. */
  bodyTemplate: bodyTemplate.nullable(),
  /** The answer sent to the customer, with {{path.to.field}} read from the JSON response. */
  responseTemplate,
  enabled: z.boolean(),
  timeoutMs: z.number().int().min(100).max(MAX_TIMEOUT_MS),
};

export const createIntegrationBody = z.strictObject({
  ...fields,
  method: fields.method.default('POST'),
  headers: fields.headers.default([]),
  bodyTemplate: fields.bodyTemplate.default(null),
  enabled: fields.enabled.default(true),
  timeoutMs: fields.timeoutMs.default(MAX_TIMEOUT_MS),
});
export type CreateIntegrationInput = z.infer<typeof createIntegrationBody>;

/** Every field optional; `headers`, when given, is the whole new list. */
export const updateIntegrationBody = z.strictObject({
  name: fields.name.optional(),
  url: fields.url.optional(),
  method: fields.method.optional(),
  headers: fields.headers.optional(),
  bodyTemplate: fields.bodyTemplate.optional(),
  responseTemplate: fields.responseTemplate.optional(),
  enabled: fields.enabled.optional(),
  timeoutMs: fields.timeoutMs.optional(),
});
export type UpdateIntegrationInput = z.infer<typeof updateIntegrationBody>;

/** Sample values for "Test"; nothing of a real customer is needed. */
export const testIntegrationBody = z.strictObject({
  waId: z.string().trim().regex(/^\d{6,15}$/, 'A WhatsApp number: digits only, with the country code.').default('33612345678'),
  text: z.string().max(4096).default('Where is my order?'),
  contactName: z.string().max(200).nullable().default(null),
});

const headerSchema = z.object({
  name: z.string(),
  secret: z.boolean(),
  /** The value of a plain header; "••••" for a secret one, which is never returned. */
  value: z.string(),
  /** Whether a value is stored (a secret's is, once entered). */
  set: z.boolean(),
});

export const integrationSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  url: z.string(),
  method: z.enum(['GET', 'POST']),
  headers: z.array(headerSchema),
  bodyTemplate: z.string().nullable(),
  responseTemplate: z.string(),
  enabled: z.boolean(),
  timeoutMs: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const integrationResponse = z.object({ integration: integrationSchema });
export const integrationListResponse = z.object({ items: z.array(integrationSchema) });

export const testResponse = z.object({
  ok: z.boolean(),
  /** The filled answer, when it worked. */
  text: z.string().nullable(),
  reason: z.enum(['timeout', 'http_error', 'bad_response', 'unknown_integration', 'disabled']).nullable(),
  /** The HTTP status the integration answered, if it did. */
  status: z.number().nullable(),
  /** Why it failed, in a few words (never a header value). */
  detail: z.string().nullable(),
});
