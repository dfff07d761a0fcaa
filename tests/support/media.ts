import type { ApiClient } from './client';

/** A valid 1x1 PNG, the smallest real image to upload, send and compare. */
export const TINY_PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

/**
 * POSTs a template sample (multipart: channelId, file) to /api/v1/templates/samples as `client`;
 * with no file, only the channelId field goes.
 */
export async function postSample(
  baseUrl: string,
  client: ApiClient,
  channelId: string,
  file: { bytes: Uint8Array; type: string; name: string } | null = { bytes: TINY_PNG, type: 'image/png', name: 'sample.png' },
): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.set('channelId', channelId);
  if (file) {
    form.set('file', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  }
  const headers: Record<string, string> = {};
  const cookie = client.cookieHeader();
  if (cookie) {
    headers.cookie = cookie;
  }
  if (client.csrfToken) {
    headers['x-csrf-token'] = client.csrfToken;
  }
  const res = await fetch(`${baseUrl}/api/v1/templates/samples`, { method: 'POST', headers, body: form });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Uploads a file to /api/v1/media as `client` (what the composer or a broadcast then sends); its media id. */
export async function uploadMedia(baseUrl: string, client: ApiClient, bytes: Uint8Array, type: string, filename: string): Promise<string> {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(bytes)], { type }), filename);
  const res = await fetch(`${baseUrl}/api/v1/media`, { method: 'POST', headers: { cookie: client.cookieHeader()!, 'x-csrf-token': client.csrfToken! }, body: form });
  if (res.status !== 201) {
    throw new Error(`POST /api/v1/media answered ${res.status}`);
  }
  return ((await res.json()) as { media: { id: string } }).media.id;
}
