// zod schemas for Meta's webhook notifications (`WebhookPayload` in Meta's OpenAPI document,
// plus the template, quality and account fields Meta documents on its webhook pages).
// Every object is loose: Meta adds fields without notice, and an unknown key must never make
// us refuse a batch (Meta would then retry it for days).
import { z } from 'zod';

/** Message types the connector understands; anything else is normalized to `unsupported`. */
export const MESSAGE_TYPES = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'button',
  'reaction',
  'order',
  'system',
  'unsupported',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
export type MediaMessageType = 'image' | 'audio' | 'video' | 'document' | 'sticker';
export const MEDIA_TYPES: ReadonlySet<string> = new Set<MediaMessageType>(['image', 'audio', 'video', 'document', 'sticker']);

/** Whether a declared `type` is one the connector parses. */
export function isMessageType(value: string): value is MessageType {
  return (MESSAGE_TYPES as readonly string[]).includes(value);
}

// Unix seconds: Meta sends strings ("1749416383"); numbers are accepted as well, up to the
// same twelve digits (later ones are past what a JavaScript Date holds).
const unixSeconds = z.union([z.string().regex(/^\d{1,12}$/, 'expected Unix seconds'), z.number().int().nonnegative().max(999_999_999_999)]);
// Meta's ids (wamids, phone numbers, WABA ids) are well under this. Ids are keys of unique
// indexes, whose entries PostgreSQL caps at 2,704 bytes: a longer one would fail the insert.
const ID_MAX = 128;
const id = z.string().min(1).max(ID_MAX);
// Ids and codes are usually one type but some webhooks send the other.
const intLike = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);
const idLike = z.union([id, z.number().int().transform(String)]);

export const errorObjectSchema = z.looseObject({
  code: intLike,
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
  href: z.string().optional(),
});

export const metadataSchema = z.looseObject({
  display_phone_number: z.string(),
  phone_number_id: id,
});

export const contactProfileSchema = z.looseObject({
  profile: z.looseObject({ name: z.string().optional() }).optional(),
  wa_id: z.string().optional(),
});

export const contextSchema = z.looseObject({
  from: z.string().optional(),
  id: z.string().optional(),
  forwarded: z.boolean().optional(),
  frequently_forwarded: z.boolean().optional(),
  referred_product: z
    .looseObject({ catalog_id: z.string().optional(), product_retailer_id: z.string().optional() })
    .optional(),
});

export const referralSchema = z.looseObject({
  source_url: z.string().optional(),
  source_id: z.string().optional(),
  source_type: z.string().optional(),
  body: z.string().optional(),
  headline: z.string().optional(),
  media_type: z.string().optional(),
  image_url: z.string().optional(),
  video_url: z.string().optional(),
  thumbnail_url: z.string().optional(),
  ctwa_clid: z.string().optional(),
  welcome_message: z.looseObject({ text: z.string().optional() }).optional(),
});

/** The fields every inbound message has; the type object is checked separately (see contentSchemas). */
export const baseMessageSchema = z.looseObject({
  from: id,
  id: id,
  timestamp: unixSeconds,
  type: z.string().min(1),
  context: contextSchema.optional(),
  referral: referralSchema.optional(),
  errors: z.array(errorObjectSchema).optional(),
});

const mediaContentSchema = z.looseObject({
  id: z.string().min(1),
  mime_type: z.string().min(1),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
});

/** The type object of each message type, keyed by type (`message[type]`). */
export const contentSchemas = {
  text: z.looseObject({ body: z.string() }),
  image: mediaContentSchema,
  audio: mediaContentSchema,
  video: mediaContentSchema,
  document: mediaContentSchema,
  sticker: mediaContentSchema,
  location: z.looseObject({
    latitude: z.number(),
    longitude: z.number(),
    name: z.string().optional(),
    address: z.string().optional(),
    url: z.string().optional(),
  }),
  contacts: z.array(
    z.looseObject({
      name: z.looseObject({ formatted_name: z.string().optional() }).optional(),
      phones: z.array(z.looseObject({ phone: z.string().optional(), wa_id: z.string().optional() })).optional(),
    }),
  ),
  interactive: z.looseObject({
    type: z.string(),
    button_reply: z.looseObject({ id: z.string(), title: z.string() }).optional(),
    list_reply: z.looseObject({ id: z.string(), title: z.string(), description: z.string().optional() }).optional(),
    nfm_reply: z.looseObject({ name: z.string().optional(), body: z.string().optional(), response_json: z.string().optional() }).optional(),
  }),
  button: z.looseObject({ payload: z.string().optional(), text: z.string() }),
  // Meta omits the emoji (or sends "") when the user removes a reaction.
  reaction: z.looseObject({ message_id: z.string().min(1), emoji: z.string().optional() }),
  order: z.looseObject({
    catalog_id: z.string(),
    text: z.string().optional(),
    product_items: z.array(
      z.looseObject({
        product_retailer_id: z.string(),
        quantity: z.number(),
        item_price: z.number(),
        currency: z.string(),
      }),
    ),
  }),
  system: z.looseObject({
    body: z.string().optional(),
    type: z.string().optional(),
    wa_id: z.string().optional(),
    new_wa_id: z.string().optional(),
  }),
} satisfies Record<Exclude<MessageType, 'unsupported'>, z.ZodType>;

export const STATUS_VALUES = ['sent', 'delivered', 'read', 'failed', 'played'] as const;
export type StatusValue = (typeof STATUS_VALUES)[number];

export const statusSchema = z.looseObject({
  id: id,
  status: z.string().min(1),
  timestamp: unixSeconds,
  recipient_id: z.string().min(1),
  biz_opaque_callback_data: z.string().optional(),
  conversation: z
    .looseObject({
      id: z.string().optional(),
      expiration_timestamp: unixSeconds.optional(),
      origin: z.looseObject({ type: z.string().optional() }).optional(),
    })
    .optional(),
  pricing: z
    .looseObject({
      billable: z.boolean().optional(),
      pricing_model: z.string().optional(),
      category: z.string().optional(),
      type: z.string().optional(),
    })
    .optional(),
  errors: z.array(errorObjectSchema).optional(),
});

/** `value` of a `messages` change: inbound messages and/or statuses, sometimes errors. */
export const messagesValueSchema = z.looseObject({
  messaging_product: z.string().optional(),
  metadata: metadataSchema,
  contacts: z.array(contactProfileSchema).optional(),
  messages: z.array(baseMessageSchema).optional(),
  statuses: z.array(statusSchema).optional(),
  errors: z.array(errorObjectSchema).optional(),
});

/** `value` of a `message_template_status_update` change. */
export const templateStatusValueSchema = z.looseObject({
  event: z.string().min(1),
  message_template_id: idLike,
  // Meta's limits (512 characters, a short locale code) keep the (WABA, name, language) key indexable.
  message_template_name: z.string().max(512),
  message_template_language: z.string().max(16),
  message_template_category: z.string().optional(),
  reason: z.string().nullable().optional(),
  other_info: z.looseObject({ title: z.string().optional(), description: z.string().optional() }).optional(),
});

/** `value` of a `phone_number_quality_update` change (quality and messaging-limit changes). */
export const qualityValueSchema = z.looseObject({
  display_phone_number: z.string(),
  event: z.string().min(1),
  current_limit: z.string().optional(),
  old_limit: z.string().optional(),
  quality_rating: z.string().optional(),
  max_daily_conversation_per_phone: z.number().optional(),
});

/** `value` of an `account_update` change (verification, bans, violations, restrictions). */
export const accountUpdateValueSchema = z.looseObject({
  event: z.string().min(1),
  phone_number: z.string().optional(),
  ban_info: z.looseObject({ waba_ban_state: z.string().optional(), waba_ban_date: z.string().optional() }).optional(),
  violation_info: z.looseObject({ violation_type: z.string().optional() }).optional(),
  restriction_info: z.array(z.looseObject({ restriction_type: z.string().optional() })).optional(),
});

/** The envelope of every WhatsApp Business Account notification. */
export const webhookEnvelopeSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.looseObject({
      id: idLike,
      time: z.number().optional(),
      changes: z.array(z.looseObject({ field: z.string().min(1), value: z.looseObject({}) })),
    }),
  ),
});

export type WebhookEnvelope = z.infer<typeof webhookEnvelopeSchema>;
export type MessagesValue = z.infer<typeof messagesValueSchema>;
export type BaseMessage = z.infer<typeof baseMessageSchema>;
export type StatusObject = z.infer<typeof statusSchema>;
export type ErrorObject = z.infer<typeof errorObjectSchema>;
