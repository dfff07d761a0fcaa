// The three templates of an integration, filled without ever building JSON or URLs by string
// concatenation: a customer's text may hold quotes, braces, slashes or "../" and must stay data.

/** What a lookup knows of the conversation when a rule fires. */
export type LookupVars = { waId: string; text: string; contactName: string | null };

/** The placeholders a request (URL or body) may use, and where each value comes from. */
export const REQUEST_PLACEHOLDERS = { wa_id: 'waId', text: 'text', contact_name: 'contactName' } as const;
type RequestPlaceholder = keyof typeof REQUEST_PLACEHOLDERS;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const isRequestPlaceholder = (name: string): name is RequestPlaceholder => Object.hasOwn(REQUEST_PLACEHOLDERS, name);
// A response field: `order.status`, `items.0.name` (letters, digits, _ and - between dots).
const FIELD_PATH = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** The placeholder names a text uses, in order. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** The request placeholders a text names that do not exist (a typo would otherwise be sent as is). */
export function unknownRequestPlaceholders(text: string): string[] {
  return placeholdersIn(text).filter((name) => !isRequestPlaceholder(name));
}

/** The response placeholders that are not a field path. */
export function badResponsePlaceholders(text: string): string[] {
  return placeholdersIn(text).filter((name) => !FIELD_PATH.test(name));
}

function valueOf(vars: LookupVars, name: RequestPlaceholder): string | null {
  return vars[REQUEST_PLACEHOLDERS[name]];
}

/**
 * Why a URL template may not be used, or null: http(s), no credentials or fragment, and no
 * placeholder in the scheme or host (the customer's text must never choose where the call goes).
 */
export function urlTemplateProblem(template: string): string | null {
  if (!/^https?:\/\/[^/?#{}\s]+(?:[/?#]|$)/i.test(template)) {
    return 'must start with https:// and a host (placeholders only in the path or query)';
  }
  const unknown = unknownRequestPlaceholders(template);
  if (unknown.length > 0) {
    return `unknown placeholder ${unknown.map((n) => `{{${n}}}`).join(', ')} (use {{wa_id}}, {{text}} or {{contact_name}})`;
  }
  let url: URL;
  try {
    url = new URL(template.replace(PLACEHOLDER, 'x'));
  } catch {
    return 'is not a valid URL';
  }
  if (url.username || url.password) {
    return 'must not hold a user name or password (use a header)';
  }
  if (url.hash) {
    return 'must not have a #fragment';
  }
  return null;
}

/**
 * The URL with its placeholders filled, each value URL-encoded; null when a value would change
 * the path's shape (a whole segment of "." or "..", which URL parsers resolve as a step up).
 */
export function fillUrl(template: string, vars: LookupVars): string | null {
  const queryAt = template.search(/[?]/);
  let unsafe = false;
  const filled = template.replace(PLACEHOLDER, (whole, name: string, offset: number) => {
    if (!isRequestPlaceholder(name)) {
      return whole;
    }
    const value = valueOf(vars, name) ?? '';
    const inPath = queryAt === -1 || offset < queryAt;
    if (inPath && /^\.{1,2}$/.test(value)) {
      unsafe = true;
    }
    return encodeURIComponent(value);
  });
  return unsafe ? null : filled;
}

/** Fills the placeholders of every string of a JSON value, keys included as written. */
function fillJson(value: unknown, vars: LookupVars): unknown {
  if (typeof value === 'string') {
    // A string that is exactly one placeholder takes its value as is: null stays null.
    const whole = /^\{\{\s*([a-z_]+)\s*\}\}$/.exec(value);
    if (whole && isRequestPlaceholder(whole[1]!)) {
      return valueOf(vars, whole[1]);
    }
    return value.replace(PLACEHOLDER, (m, name: string) => (isRequestPlaceholder(name) ? valueOf(vars, name) ?? '' : m));
  }
  if (Array.isArray(value)) {
    return value.map((v) => fillJson(v, vars));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillJson(v, vars)]));
  }
  return value;
}

/** The request body: the template parsed as JSON, its strings filled, serialised again (so values are always escaped). */
export function fillBody(template: string, vars: LookupVars): string {
  return JSON.stringify(fillJson(JSON.parse(template) as unknown, vars));
}

/** Why a body template cannot be used, or null: it must be JSON, and name only known placeholders. */
export function bodyTemplateProblem(template: string): string | null {
  try {
    JSON.parse(template);
  } catch {
    return 'is not valid JSON (placeholders go inside strings: "{{text}}")';
  }
  const unknown = unknownRequestPlaceholders(template);
  return unknown.length > 0 ? `unknown placeholder ${unknown.map((n) => `{{${n}}}`).join(', ')} (use {{wa_id}}, {{text}} or {{contact_name}})` : null;
}

/** A field of a JSON value by its dotted path (array items by index), or undefined. */
function fieldAt(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * The answer: the response template with each {{path}} read from the JSON response. A field that
 * is missing, null, or not a string, number or boolean makes no answer (`missing` names them): the
 * answer would be wrong, so the conversation goes to a person instead.
 */
export function fillAnswer(template: string, response: unknown): { text: string } | { missing: string[] } {
  const missing: string[] = [];
  const text = template.replace(PLACEHOLDER, (_m, path: string) => {
    const value = fieldAt(response, path);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return String(value);
    }
    missing.push(path);
    return '';
  });
  return missing.length > 0 ? { missing } : { text };
}
