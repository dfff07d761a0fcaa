import { z } from 'zod';

/** What a file's column is read as. `attribute:<key>` fills a custom attribute. */
export const columnTarget = z.union([
  z.enum(['ignore', 'phone', 'name', 'country', 'language', 'labels']),
  z.string().regex(/^attribute:[a-z][a-z0-9_]{0,39}$/),
]);
export type ColumnTarget = z.infer<typeof columnTarget>;

export const REJECT_REASONS = [
  'wrong_column_count', 'bad_encoding', 'missing_phone', 'bad_phone', 'duplicate_in_file', 'bad_country', 'bad_language',
  'unknown_label', 'bad_attribute', 'name_too_long',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
export const DECISIONS = ['create', 'update', 'skip', 'reject'] as const;
export type Decision = (typeof DECISIONS)[number];

export const importOptions = z.strictObject({
  /** One target per column of the header, in order. */
  columns: z.array(columnTarget).min(1).max(200),
  /** The country of numbers written without their international prefix. */
  defaultCountry: z.string().regex(/^[A-Z]{2}$/, 'an ISO country code such as FR'),
  /** What to do with a number already in the base. */
  existing: z.enum(['update', 'skip']).default('skip'),
  /** Create labels the base does not have (otherwise the row is rejected: unknown_label). */
  createLabels: z.boolean().default(false),
  labelSeparator: z.string().min(1).max(1).default(';'),
});
export type ImportOptions = z.infer<typeof importOptions>;

export const idParams = z.strictObject({ id: z.uuid() });
export const startBody = z.strictObject({ options: importOptions, dryRun: z.boolean() });
export const rowsQuery = z.strictObject({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  decision: z.enum(DECISIONS).optional(),
});
export const reportQuery = z.strictObject({ only: z.enum(['rejected', 'all']).default('rejected') });

export const importSchema = z.object({
  id: z.uuid(), filename: z.string(), sizeBytes: z.number(), header: z.array(z.string()),
  status: z.enum(['uploaded', 'queued', 'running', 'done', 'failed']), dryRun: z.boolean(), options: importOptions.nullable(),
  progress: z.object({ rowsRead: z.number(), created: z.number(), updated: z.number(), skipped: z.number(), rejected: z.number(), newLabels: z.number() }),
  error: z.string().nullable(), createdBy: z.uuid().nullable(), createdAt: z.string(), startedAt: z.string().nullable(), finishedAt: z.string().nullable(),
});
export const importResponse = z.object({ import: importSchema });
export const uploadResponse = z.object({
  import: importSchema,
  /** The first rows after the header, as read (for the mapping step). */
  sample: z.array(z.array(z.string())),
  /** Set when the start of the file is not valid UTF-8 (saved as Latin-1 or Windows-1252, say). */
  encodingWarning: z.boolean(),
});
export const importListResponse = z.object({ items: z.array(importSchema) });
export const rowSchema = z.object({
  row: z.number(), decision: z.enum(DECISIONS), reason: z.enum(REJECT_REASONS).nullable(), detail: z.string().nullable(), line: z.string().nullable(),
});
export const rowsResponse = z.object({ items: z.array(rowSchema) });
