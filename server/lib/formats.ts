import { z } from 'zod';

/**
 * A string in a named format: a refusal carries `format: name` (an `invalid_format` issue), so a
 * client can word it in its user's language without reading the English `message`; zod's plain
 * `.regex()` reports every pattern as `regex`. With `base` (e.g. `z.string().trim().max(300)`),
 * the value goes through `base` first. The pattern is kept in the OpenAPI document either way.
 */
export function namedFormat(name: string, pattern: RegExp, message: string, base?: z.ZodString) {
  const format = z.stringFormat(name, pattern, message);
  return (base ? base.pipe(format) : format).meta({ pattern: pattern.source });
}
