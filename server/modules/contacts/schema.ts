import { z } from 'zod';
import { namedFormat } from '../../lib/formats';

export const idParams = z.strictObject({ id: z.uuid() });
export const noteParams = z.strictObject({ id: z.uuid(), noteId: z.uuid() });
export const keyParams = z.strictObject({ key: z.string().max(40) });

/** The attribute types an admin may define (contact_attributes.type). */
export const ATTRIBUTE_TYPES = ['text', 'number', 'date', 'boolean', 'choice'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

// A contact carries any number of labels; the cap keeps one row's array (and its chips) sane.
export const MAX_LABELS_PER_CONTACT = 200;

const language = namedFormat('language_tag', /^[a-z]{2,3}(-[A-Z]{2})?$/, 'a language tag such as fr or en-GB');
/** Values by attribute key; null clears one. Each value is checked against its definition (attributes.ts). */
const attributeValues = z.record(z.string().max(40), z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]));
const labelIds = z.array(z.uuid()).max(MAX_LABELS_PER_CONTACT);

export const listContactsQuery = z.strictObject({
  q: z.string().trim().max(100).optional(),
  labelId: z.uuid().optional(),
  cursor: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListContactsQuery = z.infer<typeof listContactsQuery>;

export const createContactBody = z.strictObject({
  /** International (+33 6 12 34 56 78, 0033...) or national with `defaultCountry`. */
  phone: z.string().trim().min(3).max(40),
  defaultCountry: z.string().regex(/^[A-Z]{2}$/).optional(),
  profileName: z.string().trim().min(1).max(200).optional(),
  language: language.optional(),
  labelIds: labelIds.optional(),
  attributes: attributeValues.optional(),
});
export type CreateContactInput = z.infer<typeof createContactBody>;

export const updateContactBody = z
  .strictObject({
    profileName: z.string().trim().min(1).max(200).nullable().optional(),
    language: language.nullable().optional(),
    labelIds: labelIds.optional(),
    attributes: attributeValues.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change.');
export type UpdateContactInput = z.infer<typeof updateContactBody>;

export const consentBody = z.strictObject({ state: z.enum(['in', 'out']) });
export const mergeBody = z.strictObject({ otherId: z.uuid() });
export const noteBody = z.strictObject({ body: z.string().trim().min(1).max(5000) });

const color = namedFormat('hex_color', /^#[0-9a-fA-F]{6}$/, 'a colour such as #1d4ed8');
export const createLabelBody = z.strictObject({ name: z.string().trim().min(1).max(60), color: color.optional() });
export const updateLabelBody = z
  .strictObject({ name: z.string().trim().min(1).max(60).optional(), color: color.optional() })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change.');

const attributeKey = namedFormat('attribute_key', /^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and underscores, starting with a letter');
const options = z.array(z.string().trim().min(1).max(100)).max(100);
export const createAttributeBody = z
  .strictObject({ key: attributeKey, name: z.string().trim().min(1).max(80), type: z.enum(ATTRIBUTE_TYPES), options: options.default([]) })
  .refine((b) => b.type !== 'choice' || b.options.length > 0, { message: 'A choice needs at least one option.', path: ['options'] });
export type CreateAttributeInput = z.infer<typeof createAttributeBody>;
export const updateAttributeBody = z
  .strictObject({ name: z.string().trim().min(1).max(80).optional(), type: z.enum(ATTRIBUTE_TYPES).optional(), options: options.optional() })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change.');
export type UpdateAttributeInput = z.infer<typeof updateAttributeBody>;

export const labelSchema = z.object({ id: z.uuid(), name: z.string(), color: z.string() });
export const attributeSchema = z.object({ key: z.string(), name: z.string(), type: z.enum(ATTRIBUTE_TYPES), options: z.array(z.string()) });
export const noteSchema = z.object({
  id: z.uuid(), body: z.string(), author: z.object({ id: z.string(), name: z.string() }).nullable(), createdAt: z.string(), updatedAt: z.string(),
});

/**
 * A contact as the API answers it. Fields the viewer's role does not reach are left out, except
 * the phone: without `read` on the field `waId`, it comes masked and `phoneMasked` says so.
 */
export const contactSchema = z.object({
  id: z.uuid(),
  waId: z.string().describe('E.164 digits without +, or masked ("+33 6 •• •• •• 78") when phoneMasked'),
  phoneMasked: z.boolean(),
  profileName: z.string().nullable().optional(),
  country: z.string().nullable().optional(),
  region: z.string().nullable().optional(),
  numberType: z.string().nullable().optional(),
  language: z.string().nullable().optional(),
  labels: z.array(labelSchema).optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  optState: z.enum(['unknown', 'in', 'out']).optional(),
  optSource: z.string().nullable().optional(),
  optChangedAt: z.string().nullable().optional(),
  lastInboundAt: z.string().nullable().optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});
export const contactListResponse = z.object({ items: z.array(contactSchema), nextCursor: z.string().nullable() });
export const contactResponse = z.object({ contact: contactSchema });
export const contactDetailResponse = z.object({ contact: contactSchema, notes: z.array(noteSchema), aliases: z.array(z.object({ waId: z.string(), mergedAt: z.string() })) });
export const labelListResponse = z.object({ items: z.array(labelSchema) });
export const labelResponse = z.object({ label: labelSchema });
export const attributeListResponse = z.object({ items: z.array(attributeSchema) });
export const attributeResponse = z.object({ attribute: attributeSchema });
export const noteResponse = z.object({ note: noteSchema });
export const mergeResponse = z.object({
  contact: contactSchema,
  moved: z.object({ conversations: z.number(), conversationsJoined: z.number(), notes: z.number() }),
});
