// What a signed webhook may carry that a database cannot keep. JSON allows any UTF-16 code
// unit in a string, escaped (`\u0000`, a lone surrogate such as `\ud800`); PostgreSQL text
// and jsonb refuse U+0000, and UTF-8 has no encoding for a lone surrogate. Refusing the
// notification would make Meta retry it for days, so the events carry the text with each
// such unit replaced by U+FFFD, and only the raw copy keeps what was sent.

// U+0000, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what must be found
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Meta's payloads nest about ten levels deep; far deeper is not a notification (and would overflow stacks). */
export const MAX_NESTING = 64;

// The same, to ask whether a string has any (no `g`: `test` would carry lastIndex across calls).
const HAS_UNSTORABLE = new RegExp(UNSTORABLE.source);

/** The string with U+0000 and lone surrogates replaced by U+FFFD (the replacement character). */
export function storableText(s: string): string {
  return s.replace(UNSTORABLE, '\ufffd');
}

/** At most `max` UTF-16 units of `s`, never ending inside a surrogate pair. */
export function truncateText(s: string, max: number): string {
  if (s.length <= max) {
    return s;
  }
  const code = s.charCodeAt(max - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** Thrown by `storableJson` for a value nested deeper than MAX_NESTING. */
export class NestingTooDeep extends Error {
  override readonly name = 'NestingTooDeep';
  constructor() {
    super(`nested more than ${MAX_NESTING} levels deep`);
  }
}

/**
 * The parsed JSON value with every string and key made storable (see storableText). Copies
 * only what changes: a clean body (nearly every one) comes back as it is. Keys are defined
 * as own properties, so a `__proto__` key stays a key.
 */
export function storableJson(value: unknown): unknown {
  // Nearly every body is clean: looked through first without copying anything (a status batch
  // of a thousand changes is some fifteen thousand strings), and copied only when it is not.
  return isStorable(value, 0) ? value : storableCopy(value, 0);
}

/** Whether nothing in the value needs replacing; throws NestingTooDeep past MAX_NESTING. */
function isStorable(value: unknown, depth: number): boolean {
  if (typeof value === 'string') {
    return !HAS_UNSTORABLE.test(value);
  }
  if (typeof value !== 'object' || value === null) {
    return true;
  }
  if (depth >= MAX_NESTING) {
    throw new NestingTooDeep();
  }
  if (Array.isArray(value)) {
    return value.every((item: unknown) => isStorable(item, depth + 1));
  }
  for (const key of Object.keys(value)) {
    if (HAS_UNSTORABLE.test(key) || !isStorable((value as Record<string, unknown>)[key], depth + 1)) {
      return false;
    }
  }
  return true;
}

function storableCopy(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    return storableText(value);
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  if (depth >= MAX_NESTING) {
    throw new NestingTooDeep();
  }
  if (Array.isArray(value)) {
    const items = value.map((item: unknown) => storableCopy(item, depth + 1));
    return items.every((item, i) => item === value[i]) ? value : items;
  }
  const entries = Object.entries(value).map(([key, item]) => [key, storableText(key), item, storableCopy(item, depth + 1)] as const);
  if (entries.every(([key, cleanKey, item, cleanItem]) => key === cleanKey && item === cleanItem)) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [, key, , item] of entries) {
    Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
