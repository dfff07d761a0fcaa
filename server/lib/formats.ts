import { z } from 'zod';

/**
 * A string in a named format: a refusal carries `format: name` (an `invalid_format` issue), so a
 * client can word it in its user's language without reading the English `message`. zod's plain
 * `.regex()` reports every pattern as `regex`; the pattern is kept in the OpenAPI document.
 */
export function namedFormat(name: string, pattern: RegExp, message: string) {
  return z.stringFormat(name, pattern, message).meta({ pattern: pattern.source });
}
