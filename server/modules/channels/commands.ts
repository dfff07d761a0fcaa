import { isUniqueViolation } from '../../db/knex';
import { notify } from '../../db/locks';
import type { Actor } from '../../lib/actor';
import { AppError, errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { encryptSecret } from '../../lib/secrets';
import type { Services } from '../../services';
import { CloudApiClient } from '../../whatsapp/client';
import { upsertListedTemplate } from '../templates';
import { clientFor, decryptChannel, secretAad } from './credentials';
import { CHANNEL_DEFAULTS } from './egress';
import { channelHasConversations, deleteChannel, findChannel, insertChannel, updateChannel, type ChannelRow } from './repo';

export const CHANNELS_CHANNEL = 'sb_channels';

export type ChannelInput = {
  name: string;
  phoneNumberId: string;
  wabaId: string;
  displayNumber: string;
  graphBaseUrl?: string;
  graphVersion?: string;
  /** null clears it. */
  appId?: string | null;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  lane?: 'shared' | 'dedicated';
  throughputMps?: number;
};

const SECRET_FIELDS = [
  ['accessToken', 'access_token'],
  ['appSecret', 'app_secret'],
  ['verifyToken', 'verify_token'],
] as const;

function sealSecrets(key: Buffer, id: string, input: Partial<ChannelInput>): Partial<ChannelRow> {
  const out: Record<string, string> = {};
  for (const [field, column] of SECRET_FIELDS) {
    const value = input[field];
    if (value !== undefined) {
      out[`${column}_enc`] = encryptSecret(key, value, secretAad(id, column));
      out[`${column}_last4`] = value.slice(-4);
    }
  }
  return out as Partial<ChannelRow>;
}

function plainColumns(input: Partial<ChannelInput>): Partial<ChannelRow> {
  const map: Array<[keyof ChannelInput, keyof ChannelRow]> = [
    ['name', 'name'], ['phoneNumberId', 'phone_number_id'], ['wabaId', 'waba_id'], ['displayNumber', 'display_number'],
    ['graphBaseUrl', 'graph_base_url'], ['graphVersion', 'graph_version'], ['appId', 'app_id'], ['lane', 'lane'], ['throughputMps', 'throughput_mps'],
  ];
  return Object.fromEntries(map.flatMap(([from, to]) => (input[from] === undefined ? [] : [[to, input[from]]]))) as Partial<ChannelRow>;
}

async function changed(s: Services, trx: Parameters<typeof updateChannel>[0]): Promise<void> {
  s.channels.invalidate();
  await notify(trx, CHANNELS_CHANNEL, 'changed');
}

/** Records a refused change as denied in the audit log and answers the error to throw. */
async function denied(s: Services, actor: Actor, channelId: string | null, err: AppError): Promise<AppError> {
  await s.audit.record(actor, { action: 'access.denied', subjectType: 'Channel', subjectId: channelId, details: { reason: err.id, fields: err.details.fields ?? [] } });
  return err;
}

/**
 * The Graph API base URL must be one the egress policy allows (the token goes there), and
 * moving a number to another one needs its access token entered again: whoever may edit a
 * number's settings cannot send the stored token to a new host.
 */
async function checkGraphBaseUrl(s: Services, actor: Actor, channelId: string | null, input: Partial<ChannelInput>, before: ChannelRow | null): Promise<void> {
  if (input.graphBaseUrl === undefined) {
    return;
  }
  try {
    s.egress.assertGraphBaseUrl(input.graphBaseUrl);
  } catch (err) {
    throw err instanceof AppError ? await denied(s, actor, channelId, err) : err;
  }
  const moved = before !== null && input.graphBaseUrl.replace(/\/+$/, '') !== before.graph_base_url.replace(/\/+$/, '');
  if (moved && input.accessToken === undefined) {
    throw await denied(s, actor, channelId, errors.accessTokenRequired());
  }
}

/** A phone number id belongs to one number only (channels_phone_number_id_unique): say so beside it. */
function numberTaken(err: unknown): never {
  throw isUniqueViolation(err, 'channels_phone_number_id_unique') ? errors.taken('Another number already has this phone number ID.', 'body.phoneNumberId') : err;
}

/** Adds a WhatsApp number; its secrets are sealed under the master key and never returned. */
export async function createChannel(s: Services, actor: Actor, input: ChannelInput, opts: { sandbox?: boolean } = {}): Promise<ChannelRow> {
  const id = newId();
  await checkGraphBaseUrl(s, actor, null, input, null);
  return s.db.transaction(async (trx) => {
    await insertChannel(trx, { id, ...plainColumns({ ...input, graphBaseUrl: input.graphBaseUrl ?? CHANNEL_DEFAULTS.graphBaseUrl, graphVersion: input.graphVersion ?? CHANNEL_DEFAULTS.graphVersion }), ...sealSecrets(s.masterKey, id, input), is_sandbox: opts.sandbox === true }).catch(numberTaken);
    await s.audit.appendIn(trx, actor, [{ action: 'channel.created', subjectType: 'Channel', subjectId: id, details: { phoneNumberId: input.phoneNumberId, wabaId: input.wabaId } }]);
    await changed(s, trx);
    return (await findChannel(trx, id))!;
  });
}

/** Edits a number; a secret is replaced only when a new value is given. */
export async function editChannel(s: Services, actor: Actor, id: string, input: Partial<ChannelInput>): Promise<ChannelRow> {
  return s.db.transaction(async (trx) => {
    const before = await findChannel(trx, id);
    if (!before) {
      throw errors.notFound('Channel');
    }
    await checkGraphBaseUrl(s, actor, id, input, before);
    const patch: Partial<ChannelRow> = { ...plainColumns(input), ...sealSecrets(s.masterKey, id, input) };
    if (input.accessToken !== undefined && before.status === 'token_invalid') {
      patch.status = 'active';
      patch.status_reason = null;
    }
    await updateChannel(trx, id, patch).catch(numberTaken);
    const secretsChanged = SECRET_FIELDS.filter(([f]) => input[f] !== undefined).map(([f]) => f);
    await s.audit.appendIn(trx, actor, [
      {
        action: 'channel.updated', subjectType: 'Channel', subjectId: id,
        details: {
          fields: Object.keys(input).filter((k) => !secretsChanged.includes(k as never)), secretsChanged,
          // Where the token now goes is what a reviewer looks for first.
          ...(input.graphBaseUrl !== undefined && input.graphBaseUrl !== before.graph_base_url ? { graphBaseUrl: { from: before.graph_base_url, to: input.graphBaseUrl } } : {}),
        },
      },
    ]);
    await changed(s, trx);
    return (await findChannel(trx, id))!;
  });
}

/** Removes a number that has no conversations (history is never orphaned). */
export async function removeChannel(s: Services, actor: Actor, id: string): Promise<void> {
  await s.db.transaction(async (trx) => {
    if (await channelHasConversations(trx, id)) {
      throw errors.conflict('The number has conversations; disable it instead of deleting it.');
    }
    await deleteChannel(trx, id);
    await s.audit.appendIn(trx, actor, [{ action: 'channel.deleted', subjectType: 'Channel', subjectId: id }]);
    await changed(s, trx);
  });
}

/** Flags a number whose token Meta refused (190) and alerts admins through the audit log and the panel. */
export async function flagTokenInvalid(s: Services, channelId: string, detail: string): Promise<void> {
  await s.db.transaction(async (trx) => {
    await updateChannel(trx, channelId, { status: 'token_invalid', status_reason: detail.slice(0, 300) });
    await s.audit.appendIn(trx, { type: 'system', id: null, ip: null, requestId: null }, [
      { action: 'channel.token_invalid', subjectType: 'Channel', subjectId: channelId, details: { alert: true } },
    ]);
    await changed(s, trx);
  });
}

/** Calls Meta (or the sandbox) with the stored credentials: number info, then the template list. */
export async function testChannel(s: Services, actor: Actor, id: string) {
  const row = await findChannel(s.db, id);
  if (!row) {
    throw errors.notFound('Channel');
  }
  const creds = decryptChannel(s.masterKey, row);
  const client = clientFor(creds, 10_000);
  const checkedAt = new Date();
  const refusal = s.egress.graphBaseUrlRefusal(creds.graphBaseUrl);
  if (refusal) {
    // Saved before the egress policy (or under another one): the token is not sent there.
    await updateChannel(s.db, id, { last_test_at: checkedAt, last_test_ok: false });
    await s.audit.record(actor, { action: 'channel.tested', subjectType: 'Channel', subjectId: id, details: { ok: false, reason: 'graph_host_not_allowed' } });
    return { ok: false, checkedAt: checkedAt.toISOString(), details: { error: { code: 0, message: `The Graph API base URL ${refusal}.` } } };
  }
  let result: { ok: boolean; details: Record<string, unknown> };
  let patch: Partial<ChannelRow>;
  let tokenRejected: string | null = null;
  try {
    const info = await client.getPhoneNumber();
    const templates = await syncTemplates(s, client, creds.wabaId);
    patch = {
      last_test_at: checkedAt,
      last_test_ok: true,
      quality_rating: info.qualityRating ?? row.quality_rating,
      messaging_tier: info.messagingLimitTier ?? row.messaging_tier,
      ...(row.status === 'token_invalid' ? { status: 'active', status_reason: null } : {}),
    };
    result = { ok: true, details: { ...info, templates } };
  } catch (err) {
    const e = err as { code?: number; message?: string; classification?: string };
    patch = { last_test_at: checkedAt, last_test_ok: false };
    tokenRejected = e.classification === 'token_invalid' ? (e.message ?? 'token rejected') : null;
    result = { ok: false, details: { error: { code: e.code ?? 0, message: e.message ?? 'unreachable' } } };
  }
  // The channel's new state and the test's audit event commit together.
  await s.db.transaction(async (trx) => {
    await updateChannel(trx, id, patch);
    await s.audit.appendIn(trx, actor, [{ action: 'channel.tested', subjectType: 'Channel', subjectId: id, details: { ok: result.ok } }]);
  });
  if (tokenRejected !== null) {
    await flagTokenInvalid(s, id, tokenRejected);
  }
  s.channels.invalidate();
  return { ok: result.ok, checkedAt: checkedAt.toISOString(), details: result.details };
}

/** Copies the WABA's templates (every page) into the local table; returns how many. */
export async function syncTemplates(s: Services, client: CloudApiClient, wabaId: string): Promise<number> {
  let cursor: string | undefined;
  let count = 0;
  for (let page = 0; page < 50; page++) {
    const result = await client.listTemplates(cursor);
    for (const t of result.templates) {
      await upsertListedTemplate(s.db, { wabaId, metaTemplateId: t.id, name: t.name, language: t.language, category: t.category, status: t.status, reason: t.rejectedReason, components: t.components });
      count += 1;
    }
    if (!result.nextCursor) {
      break;
    }
    cursor = result.nextCursor;
  }
  return count;
}

/** Refreshes the templates of a WABA through any active number of it; best effort. */
export async function syncWabaTemplates(s: Services, wabaId: string): Promise<void> {
  const creds = (await s.channels.all()).find((c) => c.wabaId === wabaId && c.status === 'active');
  if (!creds) {
    return;
  }
  const client = clientFor(creds, 10_000);
  await syncTemplates(s, client, wabaId).catch((err: Error) => s.log.warn({ err: err.message, wabaId }, 'template sync failed'));
}

/** Tells WhatsApp a message was read; best effort, after the local state is committed. */
export async function sendReadReceipt(s: Services, channelId: string, wamid: string): Promise<void> {
  const creds = await s.channels.get(channelId);
  if (!creds || creds.status !== 'active') {
    return;
  }
  const client = clientFor(creds, 10_000);
  await client.markRead(wamid).catch((err: Error) => s.log.warn({ err: err.message, channelId }, 'read receipt failed'));
}
