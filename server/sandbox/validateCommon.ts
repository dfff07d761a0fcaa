import { metaError } from './errors';

/**
 * Checks shared by the send validators. Meta's answers distinguish malformed input (code 100,
 * e.g. `Unexpected key "x" on param "text"`), a missing required parameter (131008) and a value
 * out of range (131009); paths are written as Meta writes them, e.g. `text['body']`.
 */
export type Obj = Record<string, unknown>;

/** `base['key']`, Meta's notation for nested parameters. */
export function at(base: string, key: string | number): string {
  return typeof key === 'number' ? `${base}[${key}]` : `${base}['${key}']`;
}

/** A JSON object; 131008 when absent, 100 when another type. */
export function requireObject(value: unknown, path: string): Obj {
  if (value === undefined || value === null) {
    throw metaError(131008, `The parameter ${path} is required.`);
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw metaError(100, `Param ${path} must be a JSON object.`);
  }
  return value as Obj;
}

/** An array of `min..max` items; 131008 when absent or empty, 131009 when too long. */
export function requireArray(value: unknown, path: string, min: number, max: number): unknown[] {
  if (value === undefined || value === null) {
    throw metaError(131008, `The parameter ${path} is required.`);
  }
  if (!Array.isArray(value)) {
    throw metaError(100, `Param ${path} must be an array.`);
  }
  if (value.length < min || value.length > max) {
    throw metaError(131009, `Param ${path} must have between ${min} and ${max} elements; got ${value.length}.`);
  }
  return value;
}

/** A string of `min..max` characters; 131008 when absent, 100 when not a string, 131009 when out of range. */
export function requireString(value: unknown, path: string, min = 1, max = Number.MAX_SAFE_INTEGER): string {
  if (value === undefined || value === null) {
    throw metaError(131008, `The parameter ${path} is required.`);
  }
  if (typeof value !== 'string') {
    throw metaError(100, `Param ${path} must be a string.`);
  }
  checkLength(value, path, min, max);
  return value;
}

/** An optional string of at most `max` characters. */
export function optionalString(value: unknown, path: string, max: number): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  return requireString(value, path, 0, max);
}

/** Characters as WhatsApp counts them (code points, not UTF-16 units). */
export function checkLength(value: string, path: string, min: number, max: number): void {
  const length = [...value].length;
  if (length < min) {
    throw metaError(min === 1 && length === 0 ? 131008 : 131009, `Param ${path} must be at least ${min} characters long.`);
  }
  if (length > max) {
    throw metaError(131009, `Param ${path} must be at most ${max} characters long.`);
  }
}

/** 100 on the first key not in `allowed`, as Meta answers unknown keys. */
export function onlyKeys(obj: Obj, allowed: string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw metaError(100, `Unexpected key "${key}" on param "${path}".`);
    }
  }
}

/** True for an http(s) URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** 131009 unless every value is distinct (button ids and titles, list row ids). */
export function unique(values: string[], path: string): void {
  if (new Set(values).size !== values.length) {
    throw metaError(131009, `Param ${path} must be unique.`);
  }
}
