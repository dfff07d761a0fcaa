// The Cloud API client of one WhatsApp number: messages, media, templates and number info.
// It speaks Meta's protocol only; which number, which token and what to do with a failure is
// the caller's business. Every failure is a GraphApiError classified by Meta's error code.
import { Blob } from 'node:buffer';
import type { Readable } from 'node:stream';
import { FormData, type Dispatcher } from 'undici';
import { z } from 'zod';
import { callGraph, download, openDownload, sharedPool, unexpectedShape, type GraphRequest } from './http';
import type { OutboundMessage } from './messages';

/** How to reach Meta (or the sandbox) for one number. */
export interface CloudApiClientOptions {
  /** e.g. https://graph.facebook.com (no version). */
  baseUrl: string;
  /** e.g. v23.0 */
  version: string;
  accessToken: string;
  phoneNumberId: string;
  wabaId: string;
  /** Per call; default 15 s. */
  timeoutMs?: number;
  /** Whole media download; default 5 min (documents may reach 100 MB). */
  downloadTimeoutMs?: number;
  /** A connection pool (undici Agent); a dedicated lane passes its own, others share one. */
  pool?: Dispatcher;
}

export interface SendResult {
  wamid: string;
  /** The recipient's WhatsApp id as Meta resolved it (may differ from the number sent to). */
  waId: string | null;
  /** accepted, held_for_quality_assessment or paused, for paced marketing templates. */
  messageStatus?: string;
}

export interface MediaInfo {
  url: string;
  mimeType: string;
  sha256: string | null;
  fileSize: number | null;
}

export interface TemplateSummary {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string | null;
  components: unknown[];
  rejectedReason: string | null;
}

export interface TemplatePage {
  templates: TemplateSummary[];
  nextCursor: string | null;
}

/** A new template as Meta's `POST /{waba-id}/message_templates` takes it. */
export interface TemplateDefinition {
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  components: Array<Record<string, unknown>>;
  allow_category_change?: boolean;
  parameter_format?: 'POSITIONAL' | 'NAMED';
}

export interface PhoneNumberInfo {
  verifiedName: string | null;
  displayPhoneNumber: string | null;
  qualityRating: string | null;
  throughputLevel: string | null;
  messagingLimitTier: string | null;
}

const idLike = z.union([z.string().min(1), z.number().int().transform(String)]);

const sendResponseSchema = z.looseObject({
  contacts: z.array(z.looseObject({ input: z.string().optional(), wa_id: z.string().optional() })).optional(),
  messages: z.array(z.looseObject({ id: z.string().min(1), message_status: z.string().optional() })).min(1),
});
const successSchema = z.looseObject({ success: z.literal(true) });
const uploadResponseSchema = z.looseObject({ id: idLike });
const uploadSessionSchema = z.looseObject({ id: z.string().regex(/^upload:\S+$/) });
const uploadHandleSchema = z.looseObject({ h: z.string().min(1) });
const mediaInfoSchema = z.looseObject({
  url: z.string().min(1),
  mime_type: z.string().min(1),
  sha256: z.string().optional(),
  file_size: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
});
const templatePageSchema = z.looseObject({
  data: z.array(
    z.looseObject({
      id: idLike,
      name: z.string(),
      language: z.string(),
      status: z.string(),
      category: z.string().optional(),
      components: z.array(z.unknown()).optional(),
      rejected_reason: z.string().optional(),
    }),
  ),
  paging: z
    .looseObject({
      cursors: z.looseObject({ before: z.string().optional(), after: z.string().optional() }).optional(),
      next: z.string().optional(),
    })
    .optional(),
});
const createTemplateSchema = z.looseObject({ id: idLike, status: z.string().optional(), category: z.string().optional() });
const phoneNumberSchema = z.looseObject({
  verified_name: z.string().optional(),
  display_phone_number: z.string().optional(),
  quality_rating: z.string().optional(),
  throughput: z.looseObject({ level: z.string().optional() }).optional(),
  messaging_limit_tier: z.string().optional(),
});

const TEMPLATE_FIELDS = 'id,name,language,status,category,components,rejected_reason';
const PHONE_FIELDS = 'verified_name,display_phone_number,quality_rating,throughput,messaging_limit_tier';
const TEMPLATE_PAGE_SIZE = 100;

type Method = 'GET' | 'POST' | 'DELETE';

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** A Cloud API client bound to one phone number and its WABA. */
export class CloudApiClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly downloadTimeoutMs: number;
  private readonly pool: Dispatcher;

  constructor(private readonly options: CloudApiClientOptions) {
    this.base = `${options.baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(options.version)}`;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.downloadTimeoutMs = options.downloadTimeoutMs ?? 5 * 60_000;
    this.pool = options.pool ?? sharedPool();
  }

  /** The phone number id this client sends from. */
  get phoneNumberId(): string {
    return this.options.phoneNumberId;
  }

  private url(path: string[], query: Record<string, string | undefined> = {}): string {
    const url = new URL(`${this.base}/${path.map(encodeURIComponent).join('/')}`);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) {
        url.searchParams.set(key, value);
      }
    }
    return url.toString();
  }

  private async call<S extends z.ZodType>(
    schema: S,
    what: string,
    method: Method,
    url: string,
    payload: Pick<GraphRequest, 'json' | 'form' | 'bytes' | 'authScheme'> = {},
  ): Promise<z.output<S>> {
    const data = await callGraph({
      method,
      url,
      accessToken: this.options.accessToken,
      dispatcher: this.pool,
      timeoutMs: this.timeoutMs,
      ...payload,
    });
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw unexpectedShape(what, method);
    }
    return parsed.data;
  }

  /**
   * Sends a message body (from the builders in messages.ts, or one stored as JSON) and returns
   * its wamid. A 200 means accepted, not delivered: statuses arrive by webhook.
   */
  async sendMessage(body: OutboundMessage | Record<string, unknown>): Promise<SendResult> {
    const url = this.url([this.options.phoneNumberId, 'messages']);
    const res = await this.call(sendResponseSchema, 'send', 'POST', url, { json: body });
    const message = res.messages[0]!;
    const result: SendResult = { wamid: message.id, waId: res.contacts?.[0]?.wa_id ?? null };
    if (message.message_status !== undefined) {
      result.messageStatus = message.message_status;
    }
    return result;
  }

  /** Marks an inbound message (and those before it) as read; optionally shows a typing indicator. */
  async markRead(wamid: string, opts: { typingIndicator?: boolean } = {}): Promise<void> {
    const json: Record<string, unknown> = { messaging_product: 'whatsapp', status: 'read', message_id: wamid };
    if (opts.typingIndicator) {
      json.typing_indicator = { type: 'text' };
    }
    await this.call(successSchema, 'mark-read', 'POST', this.url([this.options.phoneNumberId, 'messages']), { json });
  }

  /** Uploads media (multipart) for sending; returns the media id, kept by Meta for 30 days. */
  async uploadMedia(bytes: Uint8Array, mimeType: string, filename: string): Promise<string> {
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', mimeType);
    form.append('file', new Blob([new Uint8Array(bytes)], { type: mimeType }), filename);
    const url = this.url([this.options.phoneNumberId, 'media']);
    const res = await this.call(uploadResponseSchema, 'upload', 'POST', url, { form });
    return res.id;
  }

  /**
   * Uploads a template's sample file through Meta's Resumable Upload API and returns its handle
   * (`example.header_handle`): `POST /{app-id}/uploads` opens a session (`{id: "upload:..."}`),
   * then `POST /upload:...` with `file_offset: 0` and the bytes answers `{h}`. The session id may
   * carry its own query (`?sig=...`), kept as given.
   */
  async uploadSample(appId: string, bytes: Uint8Array, mimeType: string, filename: string): Promise<string> {
    const start = this.url([appId, 'uploads'], { file_name: filename, file_length: String(bytes.byteLength), file_type: mimeType });
    const session = await this.call(uploadSessionSchema, 'upload-session', 'POST', start);
    const [path, query] = splitOnce(session.id, '?');
    const url = `${this.base}/upload:${encodeURIComponent(path.slice('upload:'.length))}${query === undefined ? '' : `?${query}`}`;
    const res = await this.call(uploadHandleSchema, 'upload-file', 'POST', url, {
      authScheme: 'OAuth',
      bytes: { body: bytes, headers: { file_offset: '0', 'content-type': 'application/octet-stream' } },
    });
    return res.h;
  }

  /** The short-lived (5 min) download URL and metadata of a media id. */
  async getMedia(mediaId: string): Promise<MediaInfo> {
    const url = this.url([mediaId], { phone_number_id: this.options.phoneNumberId });
    const res = await this.call(mediaInfoSchema, 'media', 'GET', url);
    return { url: res.url, mimeType: res.mime_type, sha256: res.sha256 ?? null, fileSize: res.file_size ?? null };
  }

  /**
   * Opens a media URL from getMedia (it needs the Bearer token) as a stream that fails past
   * maxBytes. `dispatcherFor` vets the URL and every redirect target (it throws to refuse one).
   */
  async openMedia(url: string, maxBytes: number, dispatcherFor: (url: URL) => Dispatcher): Promise<Readable> {
    return openDownload({ url, accessToken: this.options.accessToken, dispatcherFor, maxBytes, idleTimeoutMs: this.timeoutMs, totalTimeoutMs: this.downloadTimeoutMs });
  }

  /** Downloads a media URL whole into memory, through this client's pool: for small files from a trusted URL (tools, tests). */
  async downloadMedia(url: string, maxBytes: number): Promise<Buffer> {
    return download({
      url,
      accessToken: this.options.accessToken,
      dispatcherFor: () => this.pool,
      maxBytes,
      idleTimeoutMs: this.timeoutMs,
      totalTimeoutMs: this.downloadTimeoutMs,
    });
  }

  /** Deletes an uploaded media object. */
  async deleteMedia(mediaId: string): Promise<void> {
    const url = this.url([mediaId], { phone_number_id: this.options.phoneNumberId });
    await this.call(successSchema, 'delete-media', 'DELETE', url);
  }

  /** One page of the WABA's templates; pass nextCursor back for the following page. */
  async listTemplates(cursor?: string): Promise<TemplatePage> {
    const url = this.url([this.options.wabaId, 'message_templates'], {
      fields: TEMPLATE_FIELDS,
      limit: String(TEMPLATE_PAGE_SIZE),
      after: cursor,
    });
    const res = await this.call(templatePageSchema, 'templates', 'GET', url);
    const after = res.paging?.cursors?.after ?? null;
    // Graph names a `next` URL only when another page exists; a peer that omits it still
    // gets asked again after a full page.
    const more = res.paging?.next !== undefined || res.data.length >= TEMPLATE_PAGE_SIZE;
    return {
      templates: res.data.map((t) => ({
        id: t.id,
        name: t.name,
        language: t.language,
        status: t.status,
        category: t.category ?? null,
        components: t.components ?? [],
        rejectedReason: t.rejected_reason && t.rejected_reason !== 'NONE' ? t.rejected_reason : null,
      })),
      nextCursor: more && after && after !== cursor ? after : null,
    };
  }

  /** Submits a template for review; it starts PENDING and its verdict arrives by webhook. */
  async createTemplate(def: TemplateDefinition): Promise<{ id: string; status: string | null; category: string | null }> {
    const url = this.url([this.options.wabaId, 'message_templates']);
    const res = await this.call(createTemplateSchema, 'create-template', 'POST', url, { json: def });
    return { id: res.id, status: res.status ?? null, category: res.category ?? null };
  }

  /** The number's verified name, display number, quality rating, throughput level and messaging tier. */
  async getPhoneNumber(): Promise<PhoneNumberInfo> {
    const url = this.url([this.options.phoneNumberId], { fields: PHONE_FIELDS });
    const res = await this.call(phoneNumberSchema, 'phone-number', 'GET', url);
    return {
      verifiedName: res.verified_name ?? null,
      displayPhoneNumber: res.display_phone_number ?? null,
      qualityRating: res.quality_rating ?? null,
      throughputLevel: res.throughput?.level ?? null,
      messagingLimitTier: res.messaging_limit_tier ?? null,
    };
  }
}
