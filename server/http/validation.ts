import type { z } from 'zod';
import { errors } from '../lib/errors';

/**
 * One refused field of a `validation_failed` answer. `path` names it (`body.phoneNumberId`),
 * `message` is the server's English hint and `code` zod's issue code; the other members are
 * stable facts the panel turns into words in the user's language (it never reads `message`).
 */
export type FieldIssue = {
  path: string;
  message: string;
  code: string;
  /** `invalid_format`: a named format (`digits`, `phone_number`, `email`, `url`, `uuid`, ...). */
  format?: string;
  /** `too_small` / `too_big`: what was measured (`string` counts characters, `array` items). */
  origin?: string;
  minimum?: number;
  maximum?: number;
  /** `invalid_type`: the type wanted (`string`, `number`, `int`, ...). */
  expected?: string;
  /** The field was left out (an `invalid_type` on an absent value): the panel says "required". */
  missing?: true;
  /** `invalid_value`: the values allowed (enum options, never user data). */
  values?: string[];
  /** `custom`: the name of the rule a schema's own check found broken (`button_text_unique`), and its limit if it has one. */
  rule?: string;
  limit?: number;
};

type Where = 'body' | 'query' | 'params';

/** The value at `path` inside `input`, or undefined when any step is missing. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) {
      return undefined;
    }
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return value;
  }
  // zod reports bigint bounds as bigint; JSON cannot carry them.
  return typeof value === 'bigint' ? Number(value) : undefined;
}

/** One zod issue as a field entry: zod's own facts, copied by name (never the input itself). */
export function fieldIssue(where: Where, issue: z.core.$ZodIssue, input: unknown): FieldIssue {
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const base = [where, ...issue.path.map(String)].join('.');
  const entry: FieldIssue = { path: keys.length === 1 ? `${base}.${keys[0]}` : base, message: issue.message, code: issue.code };
  switch (issue.code) {
    case 'invalid_format':
      entry.format = issue.format;
      break;
    case 'too_small':
      entry.origin = issue.origin;
      entry.minimum = asNumber(issue.minimum);
      break;
    case 'too_big':
      entry.origin = issue.origin;
      entry.maximum = asNumber(issue.maximum);
      break;
    case 'invalid_type':
      entry.expected = issue.expected;
      if (valueAt(input, issue.path) === undefined) {
        entry.missing = true;
      }
      break;
    case 'invalid_value':
      entry.values = issue.values.filter((v): v is string => typeof v === 'string');
      break;
    case 'custom':
      if (typeof issue.params?.rule === 'string') {
        entry.rule = issue.params.rule;
      }
      if (typeof issue.params?.limit === 'number') {
        entry.limit = issue.params.limit;
      }
      break;
    default:
      break;
  }
  return entry;
}

/** Turns zod issues into the 400 payload: one entry per field, named by its path. */
export function validationError(where: Where, error: z.ZodError, input: unknown) {
  const fields = error.issues.map((issue) => fieldIssue(where, issue, input));
  return errors.validation(`Invalid ${where}: ${fields.map((f) => `${f.path} (${f.message})`).join('; ')}`, {
    fields,
  });
}
