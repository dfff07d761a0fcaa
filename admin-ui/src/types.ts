/** Shapes exchanged with the Switchboard API (`/api/v1`). Mirrors the server presenters. */
import type { PackRule } from '@casl/ability/extra';

export type Locale = 'en' | 'fr';

/** The signed-in user as returned by `/me` and `/auth/login`. */
export interface Me {
  id: string;
  email: string;
  name: string;
  locale: Locale;
  mustChangePassword: boolean;
  roleIds: string[];
  teamIds: string[];
}

/** A CASL raw rule as stored in a role. */
export interface RawRule {
  action: string | string[];
  subject: string | string[];
  conditions?: Record<string, unknown>;
  fields?: string[];
  inverted?: boolean;
  reason?: string;
}

/** Response of `/me` and `/auth/login`: the session and its packed CASL rules. */
export interface SessionPayload {
  user: Me;
  csrfToken: string;
  rules: PackRule<RawRule>[];
}

export type UserStatus = 'active' | 'disabled';

export interface User {
  id: string;
  email: string;
  name: string;
  status: UserStatus;
  roleIds: string[];
  teamIds: string[];
  mustChangePassword: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface Team {
  id: string;
  name: string;
  description: string;
  memberCount: number;
}

export interface Role {
  id: string;
  key: string;
  name: string;
  description: string;
  builtin: boolean;
  rules: RawRule[];
  userCount: number;
  /** Whether the signed-in user holds every right of this role, so may give it (the server checks each grant). */
  grantable: boolean;
}

/** One entry of the permission catalogue (`policies/permissions.yaml`). */
export interface CatalogueAction {
  key: string;
  subject: string;
  action: string;
  labels: Record<Locale, string>;
  buttons: string[];
}

export interface AuditEvent {
  seq: number;
  at: string;
  actorType?: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  hash: string;
}

/** A signed statement of the audit chain's head, kept outside the database. */
export interface AuditAnchor {
  seq: number;
  hash: string;
  at: string;
  fingerprint: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  firstBrokenSeq: number | null;
  reason: string | null;
  /** The latest anchor the chain was held against; null before the first one. */
  anchor: AuditAnchor | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/* ---- Channels (WhatsApp numbers) ---- */

export type ChannelLane = 'shared' | 'dedicated';
export type QualityRating = 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';
export type ChannelStatus = 'active' | 'token_invalid' | 'disabled';

/** Whether a secret is stored, and its last four characters; the secret itself never leaves the server. */
export interface SecretState {
  set: boolean;
  last4: string | null;
}

export interface Channel {
  id: string;
  name: string;
  phoneNumberId: string;
  wabaId: string;
  displayNumber: string;
  graphBaseUrl: string;
  graphVersion: string;
  /** The Meta app's id ('' when not set): needed to upload template sample files. */
  appId: string;
  lane: ChannelLane;
  throughputMps: number;
  qualityRating: QualityRating;
  messagingTier: string | null;
  status: ChannelStatus;
  statusReason: string | null;
  /** The callback URL to configure in Meta's app dashboard. */
  webhookUrl: string;
  secrets: { accessToken: SecretState; appSecret: SecretState; verifyToken: SecretState };
  lastTestAt: string | null;
  lastTestOk: boolean | null;
  createdAt: string;
  /** Wired to the built-in WhatsApp sandbox rather than Meta. */
  isSandbox?: boolean;
}

export interface ChannelTestResult {
  ok: boolean;
  checkedAt: string;
  details: {
    verifiedName?: string;
    displayPhoneNumber?: string;
    qualityRating?: string;
    throughputLevel?: string;
    error?: { code: number | string; message: string };
  };
}

/* ---- Inbox ---- */

export type ConversationStatus = 'open' | 'pending' | 'resolved';
export type InboxView = 'mine' | 'unassigned' | 'all';
export type Direction = 'in' | 'out';

export interface ConversationSummary {
  id: string;
  status: ConversationStatus;
  channel: { id: string; name: string; displayNumber: string };
  contact: { id: string; waId: string; profileName: string | null; country: string | null };
  assignee: { id: string; name: string } | null;
  lastMessageAt: string | null;
  lastMessagePreview: string | null;
  lastMessageDirection: Direction | null;
  /** End of the 24-hour customer-service window; null or past means closed. */
  windowExpiresAt: string | null;
  unreadCount: number;
}

export type MessageStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
export type AuthorType = 'customer' | 'agent' | 'bot' | 'broadcast' | 'system';

export interface MediaRef {
  id: string;
  mimeType: string;
  size: number | null;
  filename: string | null;
  /** Inbound media are fetched from WhatsApp after the webhook: `pending` until stored. */
  state?: 'pending' | 'stored' | 'failed';
  /** Same-origin download URL: `/api/v1/media/:id`. */
  url: string;
}

export interface MessageError {
  code: number;
  title: string;
  details: string | null;
}

export type StatusTimes = Partial<Record<'queued' | 'sent' | 'delivered' | 'read' | 'failed', string>>;

export interface Message {
  id: string;
  direction: Direction;
  /** text, image, audio, video, document, sticker, location, contacts, interactive, button, reaction, template, unsupported, ... */
  type: string;
  text: string | null;
  content: Record<string, unknown>;
  media: MediaRef | null;
  replyTo: { id: string; text: string | null } | null;
  reactions: Array<{ emoji: string; direction: Direction }>;
  author: { type: AuthorType; id: string | null; name: string | null };
  status: MessageStatus;
  statusTimes: StatusTimes;
  error: MessageError | null;
  /** When the appliance stored it (received, or written here). */
  createdAt: string;
  /** WhatsApp's time: when the customer sent it (inbound), or when WhatsApp accepted it (outbound). */
  sentAt: string | null;
}

export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
export type TemplateHeaderFormat = 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT';
export type TemplateButtonType = 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER';

/** A message template of a number's WhatsApp Business Account (`GET /templates`). */
export interface Template {
  id: string;
  name: string;
  language: string;
  category: string;
  /** PENDING, APPROVED, REJECTED, PAUSED, DISABLED, ... */
  status: string;
  /** Meta's reason code (INVALID_FORMAT, ...) when REJECTED. */
  rejectedReason: string | null;
  /** `parameterCount` is 1 when a text header holds a variable. */
  header: { format: string; text: string | null; parameterCount: number } | null;
  bodyText: string | null;
  parameterCount: number;
  /** URL buttons whose address ends in a variable: each needs a value when sent. */
  urlButtonParameters: Array<{ index: number; text: string | null; url: string }>;
  footer: string | null;
  buttons: Array<{ type: string; text: string | null }>;
  updatedAt: string;
}

/** What `POST /templates` takes. */
export interface TemplateInput {
  channelId: string;
  name: string;
  language: string;
  category: TemplateCategory;
  header?: { format: 'TEXT'; text: string; example?: string } | { format: Exclude<TemplateHeaderFormat, 'TEXT'>; exampleHandle?: string };
  body?: { text: string; examples?: string[] };
  footer?: { text: string };
  buttons?: Array<
    | { type: 'QUICK_REPLY'; text: string }
    | { type: 'URL'; text: string; url: string; example?: string }
    | { type: 'PHONE_NUMBER'; text: string; phoneNumber: string }
  >;
  authentication?: { addSecurityRecommendation?: boolean; codeExpirationMinutes?: number; buttonText?: string };
}

/** What the composer sends (`POST /conversations/:id/messages`). */
export type OutgoingMessage =
  | { type: 'text'; text: string; replyToMessageId?: string }
  | { type: 'media'; mediaId: string; caption?: string; replyToMessageId?: string }
  | { type: 'template'; templateId: string; parameters: string[]; headerParameter?: string; headerMediaId?: string; buttonParameters?: Array<{ index: number; text: string }> }
  | { type: 'reaction'; messageId: string; emoji: string };
