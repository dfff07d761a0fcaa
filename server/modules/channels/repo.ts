import type { Knex } from 'knex';
import type { Db, Trx } from '../../db/knex';
import type { FieldMap } from '../authz/sql';

export type ChannelRow = {
  id: string;
  name: string;
  phone_number_id: string;
  waba_id: string;
  display_number: string;
  graph_base_url: string;
  graph_version: string;
  /** The Meta app id (digits), for the Resumable Upload API; null when not given. */
  app_id: string | null;
  access_token_enc: string;
  app_secret_enc: string;
  verify_token_enc: string;
  access_token_last4: string | null;
  app_secret_last4: string | null;
  verify_token_last4: string | null;
  lane: 'shared' | 'dedicated';
  throughput_mps: number;
  messaging_tier: string | null;
  quality_rating: string;
  status: 'active' | 'token_invalid' | 'disabled';
  status_reason: string | null;
  is_sandbox: boolean;
  last_test_at: Date | null;
  last_test_ok: boolean | null;
  created_at: Date;
  updated_at: Date;
};

export const CHANNEL_FIELDS: FieldMap = {
  id: { column: 'channels.id' },
  wabaId: { column: 'channels.waba_id' },
  lane: { column: 'channels.lane' },
  status: { column: 'channels.status' },
};

export async function listChannels(db: Db, narrow: (q: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<ChannelRow[]> {
  return narrow(db('channels').select('channels.*').orderByRaw('lower(channels.name), channels.id'));
}

export async function allChannels(db: Db | Trx): Promise<ChannelRow[]> {
  return db('channels').select('*');
}

export async function findChannel(db: Db | Trx, id: string): Promise<ChannelRow | undefined> {
  return db('channels').where({ id }).first();
}

export async function findChannelByPhoneNumberId(db: Db | Trx, phoneNumberId: string): Promise<ChannelRow | undefined> {
  return db('channels').where({ phone_number_id: phoneNumberId }).first();
}

export async function insertChannel(trx: Trx, row: Partial<ChannelRow> & { id: string }): Promise<void> {
  await trx('channels').insert(row);
}

export async function updateChannel(trx: Trx | Db, id: string, patch: Partial<ChannelRow>): Promise<void> {
  await trx('channels').where({ id }).update({ ...patch, updated_at: new Date() });
}

/** Updates the numbers of a WABA with this display number, among `onlyIds`. */
export async function updateChannelsByWaba(trx: Trx | Db, wabaId: string, displayNumber: string, patch: Partial<ChannelRow>, onlyIds: string[]): Promise<string[]> {
  const digits = displayNumber.replace(/\D/g, '');
  const rows = (await trx('channels')
    .where({ waba_id: wabaId })
    .whereIn('id', onlyIds)
    .whereRaw("regexp_replace(display_number, '\\D', '', 'g') = ?", [digits])
    .update({ ...patch, updated_at: new Date() })
    .returning('id')) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

export async function deleteChannel(trx: Trx, id: string): Promise<void> {
  await trx('channels').where({ id }).delete();
}

export async function channelHasConversations(db: Db | Trx, id: string): Promise<boolean> {
  return Boolean(await db('conversations').where({ channel_id: id }).first('id'));
}

/** The oldest sandbox number, if one was made. */
export async function findSandboxChannel(db: Db | Trx): Promise<ChannelRow | undefined> {
  return db<ChannelRow>('channels').where({ is_sandbox: true }).orderBy('created_at').first();
}
