import { z } from 'zod';
import type { CustomerMessage } from './types';

/** Over HTTP, media bytes travel as base64 (the simulator reads a file input). */
const context = z.object({ messageId: z.string().min(1) });
const media = z.object({
  type: z.enum(['image', 'audio', 'video', 'document', 'sticker']),
  bytesBase64: z.string().min(1),
  mimeType: z.string().min(3),
  caption: z.string().max(1024).optional(),
  filename: z.string().max(240).optional(),
  voice: z.boolean().optional(),
  context: context.optional(),
});

const message = z.union([
  z.object({ type: z.literal('text'), body: z.string().min(1).max(65_536), context: context.optional() }),
  media,
  z.object({
    type: z.literal('location'),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    name: z.string().optional(),
    address: z.string().optional(),
    url: z.string().optional(),
    context: context.optional(),
  }),
  z.object({ type: z.literal('contacts'), contacts: z.array(z.record(z.string(), z.unknown())).min(1), context: context.optional() }),
  z.object({ type: z.literal('button_reply'), id: z.string().min(1), title: z.string().optional(), context }),
  z.object({ type: z.literal('list_reply'), id: z.string().min(1), title: z.string().optional(), description: z.string().optional(), context }),
  z.object({ type: z.literal('button'), text: z.string().min(1), payload: z.string().optional(), context }),
  z.object({ type: z.literal('reaction'), messageId: z.string().min(1), emoji: z.string().max(16) }),
]);

const customerInput = z.object({
  phoneNumberId: z.string().min(1),
  from: z.string().min(1),
  profileName: z.string().max(256).optional(),
  message,
});

export const controlSchemas = {
  customerMessage: customerInput,
  batch: z.object({ items: z.array(customerInput).min(1).max(1000) }),
  conversation: z.object({ phoneNumberId: z.string().min(1), waId: z.string().min(1) }),
  failure: z.object({
    phoneNumberId: z.string().optional(),
    to: z.string().optional(),
    code: z.number().int().positive(),
    times: z.number().int().positive().max(1_000_000).optional(),
    via: z.enum(['response', 'webhook', 'lost']).optional(),
  }),
  verify: z.object({ verifyToken: z.string().min(1) }),
  throughput: z.object({ phoneNumberId: z.string().min(1), mps: z.number().positive().max(1000) }),
  quality: z.object({
    phoneNumberId: z.string().min(1),
    qualityRating: z.enum(['GREEN', 'YELLOW', 'RED']).optional(),
    messagingLimitTier: z.enum(['TIER_50', 'TIER_250', 'TIER_1K', 'TIER_10K', 'TIER_100K', 'TIER_UNLIMITED']).optional(),
    throughputLevel: z.enum(['STANDARD', 'HIGH']).optional(),
  }),
};

/** The driver API's customer message from its HTTP form (base64 bytes). */
export function toCustomerMessage(input: z.infer<typeof message>): CustomerMessage {
  if ('bytesBase64' in input) {
    const { bytesBase64, ...rest } = input;
    return { ...rest, bytes: Buffer.from(bytesBase64, 'base64') };
  }
  return input;
}
