// The normalized events a webhook notification flattens into (see webhookParse.ts).
import type { MessageType, StatusValue } from './webhookSchema';

export type InboundMessage = {
  kind: 'message';
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
  from: string;
  profileName: string | null;
  wamid: string;
  /** WhatsApp's own time of the message (when the customer sent it), not when it reached us. */
  timestamp: Date;
  type: MessageType;
  /** Body, caption, button or reply title: the words a search should find. */
  text: string | null;
  /** The type object as sent (`message[type]`); for `unsupported`, the declared type and errors. */
  content: Record<string, unknown>;
  media: { id: string; mimeType: string; sha256: string | null; filename: string | null } | null;
  contextWamid: string | null;
  reaction: { wamid: string; emoji: string } | null;
  /** The message exactly as Meta sent it: may hold U+0000 or lone surrogates, so keep it as JSON text, not jsonb. */
  raw: unknown;
};

export type StatusError = { code: number; title: string; message?: string; details?: string };

export type StatusUpdate = {
  kind: 'status';
  phoneNumberId: string;
  wamid: string;
  status: StatusValue;
  timestamp: Date;
  recipientId: string;
  errors: StatusError[];
  pricing: { billable?: boolean; pricingModel?: string; category?: string; type?: string } | null;
  conversation: { id: string; origin?: string; expiresAt?: Date } | null;
  raw: unknown;
};

export type TemplateStatusUpdate = {
  kind: 'template_status';
  wabaId: string;
  templateId: string;
  name: string;
  language: string;
  status: string;
  /** Meta's reason for a rejection or pause; null when none (Meta sends "NONE"). */
  reason: string | null;
  raw: unknown;
};

export type QualityUpdate = {
  kind: 'quality';
  wabaId: string;
  displayPhoneNumber: string;
  event: string;
  currentLimit: string | null;
  qualityRating?: string | null;
  raw: unknown;
};

/** A change the connector does not interpret (account_update, groups, value-level errors, unknown statuses). */
export type OtherEvent = { kind: 'other'; field: string; wabaId: string; raw: unknown };

export type WebhookEvent = InboundMessage | StatusUpdate | TemplateStatusUpdate | QualityUpdate | OtherEvent;

export type ParsedWebhook = { events: WebhookEvent[]; phoneNumberIds: string[]; wabaIds: string[] };
