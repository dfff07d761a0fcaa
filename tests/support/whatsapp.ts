import { randomBytes } from 'node:crypto';
import { sign } from '../../server/whatsapp/signature';
import { UNREACHABLE_GRAPH_ORIGIN } from './constants';
import type { ApiClient } from './client';

export type TestChannel = { id: string; phoneNumberId: string; wabaId: string; appSecret: string; verifyToken: string; accessToken: string; displayNumber: string };

let counter = 0;

/** Adds a channel through the admin API, with secrets the test knows. */
export async function addChannel(admin: ApiClient, overrides: Partial<TestChannel & { graphBaseUrl: string }> = {}): Promise<TestChannel> {
  counter += 1;
  const suffix = `${process.pid}${counter}`.slice(-8).padStart(8, '0');
  const body = {
    name: `Number ${suffix}`,
    phoneNumberId: overrides.phoneNumberId ?? `1099${suffix}`,
    wabaId: overrides.wabaId ?? `2099${suffix}`,
    displayNumber: overrides.displayNumber ?? `+1 555 ${suffix.slice(-7)}`,
    graphBaseUrl: overrides.graphBaseUrl ?? `${UNREACHABLE_GRAPH_ORIGIN}/graph`,
    accessToken: overrides.accessToken ?? randomBytes(16).toString('hex'),
    appSecret: overrides.appSecret ?? randomBytes(16).toString('hex'),
    verifyToken: overrides.verifyToken ?? randomBytes(16).toString('hex'),
  };
  const res = await admin.post('/api/v1/channels', body);
  if (res.status !== 201) {
    throw new Error(`channel creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return { id: res.body.channel.id, ...body };
}

/** Serializes like Meta: non-ASCII characters and '/' escaped as \uXXXX. */
export function metaJson(payload: unknown): string {
  return JSON.stringify(payload).replace(/[\u007f-\uffff/]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** POSTs a signed webhook; returns the HTTP status. */
export async function postWebhook(baseUrl: string, appSecret: string, payload: unknown, signature?: string): Promise<number> {
  const raw = metaJson(payload);
  const res = await fetch(`${baseUrl}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature ?? sign(Buffer.from(raw), appSecret) },
    body: raw,
  });
  await res.arrayBuffer();
  return res.status;
}

export function envelope(channel: TestChannel, value: Record<string, unknown>, field = 'messages') {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: channel.wabaId, changes: [{ field, value: { messaging_product: 'whatsapp', metadata: { display_phone_number: channel.displayNumber.replace(/\D/g, ''), phone_number_id: channel.phoneNumberId }, ...value } }] }],
  };
}

export const wamid = () => `wamid.${randomBytes(18).toString('base64')}`;

/** An inbound message webhook like Meta's documented examples. */
export function inbound(channel: TestChannel, from: string, message: Record<string, unknown>, name = 'Customer') {
  return envelope(channel, {
    contacts: [{ profile: { name }, wa_id: from }],
    messages: [{ from, id: wamid(), timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
  });
}

export function statusUpdate(channel: TestChannel, id: string, status: string, recipient: string, extra: Record<string, unknown> = {}, at = Date.now()) {
  return envelope(channel, { statuses: [{ id, status, timestamp: String(Math.floor(at / 1000)), recipient_id: recipient, ...extra }] });
}
