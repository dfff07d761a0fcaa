import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import type { Services } from '../../services';
import { clientFor, type ChannelCredentials } from '../channels/credentials';
import { assertChannelActive, whatsappFailure } from './commands';

const MB = 1024 * 1024;

/**
 * Sample files of media headers, as Meta's template rules take them: image jpeg or png up to
 * 5 MB, video mp4 up to 16 MB, document pdf up to 100 MB (the Resumable Upload API itself takes
 * only pdf, jpeg, png and mp4).
 */
export const SAMPLE_RULES: Record<string, { format: 'IMAGE' | 'VIDEO' | 'DOCUMENT'; maxBytes: number }> = {
  'image/jpeg': { format: 'IMAGE', maxBytes: 5 * MB },
  'image/png': { format: 'IMAGE', maxBytes: 5 * MB },
  'video/mp4': { format: 'VIDEO', maxBytes: 16 * MB },
  'application/pdf': { format: 'DOCUMENT', maxBytes: 100 * MB },
};

/** A sample file's size limit, or null when no media header takes its type. */
export function sampleLimitFor(mime: string): number | null {
  return SAMPLE_RULES[mime]?.maxBytes ?? null;
}

/**
 * Uploads a media header's sample file through the Resumable Upload API of the number's Meta app
 * and audits `template.sample_uploaded`; returns the handle that goes in `header.exampleHandle`.
 */
export async function uploadTemplateSample(
  s: Services,
  actor: Actor,
  channel: ChannelCredentials,
  file: { bytes: Buffer; mime: string; filename: string },
): Promise<{ handle: string }> {
  if (!channel.appId) {
    throw errors.channelAppIdMissing();
  }
  assertChannelActive(channel);
  let handle: string;
  try {
    handle = await clientFor(channel, 60_000).uploadSample(channel.appId, file.bytes, file.mime, file.filename);
  } catch (err) {
    throw await whatsappFailure(s, channel, err, 'the sample file');
  }
  await s.audit.record(actor, {
    action: 'template.sample_uploaded',
    subjectType: 'Channel',
    subjectId: channel.id,
    details: { channelId: channel.id, appId: channel.appId, mimeType: file.mime, size: file.bytes.length, filename: file.filename.slice(0, 200) },
  });
  return { handle };
}
