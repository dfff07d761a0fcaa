// A new message template as admins submit it, checked against Meta's template rules before it
// is sent for review, so a mistake is named by field instead of coming back as a Graph error.
import { z } from 'zod';
import { namedFormat } from '../../lib/formats';

/** Meta's limits for template components (WhatsApp template guidelines, 2025). */
export const TEMPLATE_LIMITS = {
  name: 512,
  headerText: 60,
  body: 1024,
  footer: 60,
  buttonText: 25,
  /** At most 10 buttons in all, of which at most 2 URL buttons and 1 phone-number button. */
  buttons: 10,
  urlButtons: 2,
  phoneButtons: 1,
  url: 2000,
  /** A phone-number button's number, country code included. */
  phoneNumber: 20,
  example: 200,
  /** Authentication templates: the code's validity, shown in the footer. */
  codeExpirationMinutes: 90,
} as const;

export const TEMPLATE_CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
export const MEDIA_HEADER_FORMATS = ['IMAGE', 'VIDEO', 'DOCUMENT'] as const;

// Every `{{...}}` in a text; positional templates may only use {{1}}, {{2}}, ...
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

/** The variables of a text as written (`{{1}}` gives '1'), in order of appearance. */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!.trim());
}

/** The number of distinct positional variables of a text ({{1}} to {{n}}). */
export function variableCount(text: string): number {
  return new Set(placeholdersOf(text).filter((p) => /^\d+$/.test(p))).size;
}

const exampleValue = z.string().trim().min(1, 'must not be empty').max(TEMPLATE_LIMITS.example, `at most ${TEMPLATE_LIMITS.example} characters`);
const buttonText = z.string().trim().min(1, 'is required').max(TEMPLATE_LIMITS.buttonText, `at most ${TEMPLATE_LIMITS.buttonText} characters`);

const textHeader = z.strictObject({
  format: z.literal('TEXT'),
  text: z.string().trim().min(1, 'is required').max(TEMPLATE_LIMITS.headerText, `at most ${TEMPLATE_LIMITS.headerText} characters`),
  /** The sample value of {{1}} when the header has a variable. */
  example: exampleValue.optional(),
});
const mediaHeader = z.strictObject({
  format: z.enum(MEDIA_HEADER_FORMATS),
  /** A sample file's handle from Meta's Resumable Upload API (`header_handle`), which Meta's review asks for. */
  exampleHandle: z.string().trim().min(1).max(2048).optional(),
});

const button = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('QUICK_REPLY'), text: buttonText }),
  z.strictObject({
    type: z.literal('URL'),
    text: buttonText,
    url: namedFormat('url', /^https?:\/\/[^\s/?#]+\.[^\s]+$/i, 'must be an http:// or https:// address', z.string().trim().max(TEMPLATE_LIMITS.url, `at most ${TEMPLATE_LIMITS.url} characters`)),
    /** The sample value of the URL's {{1}}. */
    example: exampleValue.optional(),
  }),
  z.strictObject({
    type: z.literal('PHONE_NUMBER'),
    text: buttonText,
    phoneNumber: namedFormat('phone_number', /^\+?[\d\s().-]{5,30}$/, 'must be a phone number with its country code', z.string().trim()),
  }),
]);

export const createTemplateBody = z
  .strictObject({
    channelId: z.uuid(),
    // Named formats: a refusal names the format, which the panel words in the user's language.
    name: namedFormat('template_name', /^[a-z0-9_]+$/, 'only lowercase letters, digits and underscores', z.string().min(1, 'is required').max(TEMPLATE_LIMITS.name, `at most ${TEMPLATE_LIMITS.name} characters`)),
    language: namedFormat('language_code', /^[a-z]{2,3}(_[A-Z]{2})?$/, 'a language code such as en_US or fr'),
    category: z.enum(TEMPLATE_CATEGORIES),
    header: z.discriminatedUnion('format', [textHeader, mediaHeader]).optional(),
    body: z
      .strictObject({
        text: z.string().trim().min(1, 'is required').max(TEMPLATE_LIMITS.body, `at most ${TEMPLATE_LIMITS.body} characters`),
        /** One sample value per variable, {{1}} first. */
        examples: z.array(exampleValue).max(100).optional(),
      })
      .optional(),
    footer: z
      .strictObject({ text: z.string().trim().min(1, 'is required').max(TEMPLATE_LIMITS.footer, `at most ${TEMPLATE_LIMITS.footer} characters`) })
      .optional(),
    buttons: z.array(button).min(1, 'leave out buttons or give at least one').max(TEMPLATE_LIMITS.buttons, `at most ${TEMPLATE_LIMITS.buttons} buttons`).optional(),
    /** AUTHENTICATION only: Meta writes the text itself ("<code> is your verification code.") and adds a copy-code button. */
    authentication: z
      .strictObject({
        addSecurityRecommendation: z.boolean().optional(),
        codeExpirationMinutes: z.number().int().min(1).max(TEMPLATE_LIMITS.codeExpirationMinutes).optional(),
        buttonText: buttonText.optional(),
      })
      .optional(),
  })
  .superRefine((input, ctx) => {
    // `rule` (and `limit`) name the rule for clients that word it in their user's language.
    const issue: Issue = (path, message, rule, limit) => ctx.addIssue({ code: 'custom', path, message, params: { rule, ...(limit === undefined ? {} : { limit }) } });
    if (input.category === 'AUTHENTICATION') {
      for (const field of ['header', 'body', 'footer', 'buttons'] as const) {
        if (input[field] !== undefined) {
          issue([field], 'authentication templates use the text WhatsApp writes: leave this out (use authentication options instead)', 'auth_leave_out');
        }
      }
      return;
    }
    if (input.authentication !== undefined) {
      issue(['authentication'], 'only for the AUTHENTICATION category', 'auth_only');
    }
    if (input.body === undefined) {
      issue(['body'], 'is required', 'required');
    } else if (typeof input.body.text === 'string') {
      checkBody(input.body.text, input.body.examples, issue);
    }
    if (input.header?.format === 'TEXT' && typeof input.header.text === 'string') {
      checkHeader(input.header.text, input.header.example, issue);
    }
    if (typeof input.footer?.text === 'string') {
      if (placeholdersOf(input.footer.text).length > 0) {
        issue(['footer', 'text'], 'the footer cannot contain variables', 'footer_no_variables');
      }
      if (/[\r\n]/.test(input.footer.text)) {
        issue(['footer', 'text'], 'must be a single line', 'single_line');
      }
    }
    if (Array.isArray(input.buttons)) {
      checkButtons(input.buttons, issue);
    }
  });

export type CreateTemplateInput = z.infer<typeof createTemplateBody>;
/** Reports a broken rule: the field, the English hint, the rule's stable name and its limit if any. */
type Issue = (path: Array<string | number>, message: string, rule: string, limit?: number) => void;

/** Meta: variables {{1}}..{{n}} in order, not first or last, and one sample value each. */
function checkBody(text: string, examples: string[] | undefined, issue: Issue): void {
  const found = placeholdersOf(text);
  const malformed = found.find((p) => !/^[1-9]\d*$/.test(p));
  if (malformed !== undefined) {
    issue(['body', 'text'], `variables are written {{1}}, {{2}}, ...; {{${malformed}}} is not one`, 'variable_malformed');
    return;
  }
  const order = [...new Set(found.map(Number))];
  if (order.some((n, i) => n !== i + 1)) {
    issue(['body', 'text'], 'variables must be numbered in order from {{1}}: {{1}}, {{2}}, {{3}}, ...', 'variable_order');
    return;
  }
  // Meta refuses a body that starts or ends with a variable (error subcode 2388299).
  if (/^\{\{[^{}]*\}\}/.test(text) || /\{\{[^{}]*\}\}$/.test(text)) {
    issue(['body', 'text'], 'the text cannot start or end with a variable: add words before and after it', 'variable_edge');
  }
  checkExamples(['body', 'examples'], order.length, examples?.length ?? 0, issue);
}

function checkExamples(path: Array<string | number>, variables: number, given: number, issue: Issue): void {
  if (variables > 0 && given !== variables) {
    issue(path, `give ${variables === 1 ? 'one example value' : `${variables} example values`} (one per variable): Meta's review needs them`, 'examples_count', variables);
  } else if (variables === 0 && given > 0) {
    issue(path, 'the text has no variables: leave the examples out', 'examples_unneeded');
  }
}

/** Meta: a text header has at most one variable, {{1}}, with its sample value. */
function checkHeader(text: string, example: string | undefined, issue: Issue): void {
  const found = placeholdersOf(text);
  if (found.length > 1) {
    issue(['header', 'text'], 'a header can have only one variable', 'header_one_variable');
  } else if (found.length === 1 && found[0] !== '1') {
    issue(['header', 'text'], 'the header variable must be {{1}}', 'header_one_variable');
  }
  if (/[\r\n]/.test(text)) {
    issue(['header', 'text'], 'must be a single line', 'single_line');
  }
  checkExamples(['header', 'example'], Math.min(found.length, 1), example === undefined ? 0 : 1, issue);
}

type ButtonInput = NonNullable<CreateTemplateInput['buttons']>[number];

/** Meta: at most 2 URL and 1 phone button, quick replies side by side, distinct texts, one URL variable at the end. */
function checkButtons(buttons: ButtonInput[], issue: Issue): void {
  const count = (type: ButtonInput['type']) => buttons.filter((b) => b?.type === type).length;
  if (count('URL') > TEMPLATE_LIMITS.urlButtons) {
    issue(['buttons'], `at most ${TEMPLATE_LIMITS.urlButtons} website (URL) buttons`, 'url_buttons_max', TEMPLATE_LIMITS.urlButtons);
  }
  if (count('PHONE_NUMBER') > TEMPLATE_LIMITS.phoneButtons) {
    issue(['buttons'], `at most ${TEMPLATE_LIMITS.phoneButtons} phone-number button`, 'phone_buttons_max', TEMPLATE_LIMITS.phoneButtons);
  }
  const quick = buttons.map((b, i) => (b?.type === 'QUICK_REPLY' ? i : -1)).filter((i) => i >= 0);
  if (quick.length > 0 && quick[quick.length - 1]! - quick[0]! !== quick.length - 1) {
    issue(['buttons'], 'quick-reply buttons must be grouped together, before or after the other buttons', 'quick_replies_grouped');
  }
  const seen = new Set<string>();
  buttons.forEach((b, i) => {
    if (!b || typeof b.text !== 'string') {
      return;
    }
    const key = b.text.trim().toLowerCase();
    if (seen.has(key)) {
      issue(['buttons', i, 'text'], 'each button needs a different text', 'button_text_unique');
    }
    seen.add(key);
    if (b.type === 'URL' && typeof b.url === 'string') {
      const found = placeholdersOf(b.url);
      if (found.length > 1 || (found.length === 1 && (found[0] !== '1' || !b.url.endsWith('{{1}}')))) {
        issue(['buttons', i, 'url'], 'a URL can have one variable, {{1}}, at its very end', 'url_variable_end');
      } else {
        checkExamples(['buttons', i, 'example'], found.length, b.example === undefined ? 0 : 1, issue);
      }
    }
    if (b.type === 'PHONE_NUMBER' && typeof b.phoneNumber === 'string') {
      const digits = b.phoneNumber.replace(/[^\d+]/g, '');
      if (digits.length > TEMPLATE_LIMITS.phoneNumber) {
        issue(['buttons', i, 'phoneNumber'], `at most ${TEMPLATE_LIMITS.phoneNumber} digits`, 'phone_digits_max', TEMPLATE_LIMITS.phoneNumber);
      }
    }
  });
}

/** The components of Meta's `POST /{waba-id}/message_templates` for a validated input. */
export function toMetaComponents(input: CreateTemplateInput): Array<Record<string, unknown>> {
  if (input.category === 'AUTHENTICATION') {
    const auth = input.authentication ?? {};
    const components: Array<Record<string, unknown>> = [{ type: 'BODY', add_security_recommendation: auth.addSecurityRecommendation ?? false }];
    if (auth.codeExpirationMinutes !== undefined) {
      components.push({ type: 'FOOTER', code_expiration_minutes: auth.codeExpirationMinutes });
    }
    components.push({ type: 'BUTTONS', buttons: [{ type: 'OTP', otp_type: 'COPY_CODE', text: auth.buttonText ?? 'Copy code' }] });
    return components;
  }
  const components: Array<Record<string, unknown>> = [];
  const header = input.header;
  if (header?.format === 'TEXT') {
    components.push({ type: 'HEADER', format: 'TEXT', text: header.text, ...(header.example ? { example: { header_text: [header.example] } } : {}) });
  } else if (header) {
    components.push({ type: 'HEADER', format: header.format, ...(header.exampleHandle ? { example: { header_handle: [header.exampleHandle] } } : {}) });
  }
  const body = input.body!;
  components.push({ type: 'BODY', text: body.text, ...(body.examples?.length ? { example: { body_text: [body.examples] } } : {}) });
  if (input.footer) {
    components.push({ type: 'FOOTER', text: input.footer.text });
  }
  if (input.buttons?.length) {
    components.push({
      type: 'BUTTONS',
      buttons: input.buttons.map((b) => {
        switch (b.type) {
          case 'QUICK_REPLY':
            return { type: 'QUICK_REPLY', text: b.text };
          case 'URL':
            return { type: 'URL', text: b.text, url: b.url, ...(b.example ? { example: [b.example] } : {}) };
          case 'PHONE_NUMBER':
            return { type: 'PHONE_NUMBER', text: b.text, phone_number: b.phoneNumber.replace(/[^\d+]/g, '') };
        }
      }),
    });
  }
  return components;
}

const headerSchema = z.object({ format: z.string(), text: z.string().nullable(), parameterCount: z.number().int().describe('1 when a text header holds a variable') });
/** A template as the API answers it (present.ts). */
export const templateSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  language: z.string(),
  category: z.string().nullable(),
  status: z.string().describe('PENDING, APPROVED, REJECTED, PAUSED, DISABLED, ...'),
  rejectedReason: z.string().nullable(),
  header: headerSchema.nullable(),
  bodyText: z.string().nullable(),
  parameterCount: z.number().int(),
  footer: z.string().nullable(),
  buttons: z.array(z.object({ type: z.string(), text: z.string().nullable() })),
  urlButtonParameters: z.array(z.object({ index: z.number().int(), text: z.string().nullable(), url: z.string() })).describe('URL buttons whose address ends in a variable: a value for each is required when sending'),
  createdAt: z.string().describe('When the template was first known here: submitted from the panel, or first listed or reported by Meta'),
  updatedAt: z.string().describe('When its status, category or content last changed (not when it was last synced)'),
});

export const templateChannelQuery = z.strictObject({ channelId: z.uuid() });
export const templateListResponse = z.object({ items: z.array(templateSchema) });
export const submittedTemplateResponse = z.object({ template: templateSchema });
export const sampleResponse = z.object({ handle: z.string() });
/** The multipart field naming the number a sample file is for. */
export const uploadChannelId = z.uuid();
