import type { Db } from '../../db/knex';
import { decryptSecret } from '../../lib/secrets';
import type { Dispatcher } from 'undici';
import { CloudApiClient } from '../../whatsapp/client';
import { allChannels, type ChannelRow } from './repo';

/** What the connector needs to act for one number, decrypted. Lives in memory only. */
export type ChannelCredentials = {
  id: string;
  phoneNumberId: string;
  wabaId: string;
  displayNumber: string;
  graphBaseUrl: string;
  graphVersion: string;
  appId: string | null;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  lane: 'shared' | 'dedicated';
  throughputMps: number;
  status: ChannelRow['status'];
  /** As Meta last reported them (the sender's tier limit and quality watch). */
  qualityRating: string;
  messagingTier: string | null;
};

// Secrets are sealed with the channel id as associated data: a ciphertext moved to another row does not open.
export const secretAad = (channelId: string, field: string) => `channel:${channelId}:${field}`;

export function decryptChannel(key: Buffer, row: ChannelRow): ChannelCredentials {
  return {
    id: row.id,
    phoneNumberId: row.phone_number_id,
    wabaId: row.waba_id,
    displayNumber: row.display_number,
    graphBaseUrl: row.graph_base_url,
    graphVersion: row.graph_version,
    appId: row.app_id ?? null,
    accessToken: decryptSecret(key, row.access_token_enc, secretAad(row.id, 'access_token')),
    appSecret: decryptSecret(key, row.app_secret_enc, secretAad(row.id, 'app_secret')),
    verifyToken: decryptSecret(key, row.verify_token_enc, secretAad(row.id, 'verify_token')),
    lane: row.lane,
    throughputMps: row.throughput_mps,
    status: row.status,
    qualityRating: row.quality_rating,
    messagingTier: row.messaging_tier,
  };
}

// Credentials change rarely; webhooks arrive thousands of times a second. Re-read at most this often.
const TTL_MS = 5_000;

/**
 * Decrypted credentials of every channel, by phone_number_id, refreshed on a short TTL and
 * dropped at once on a channel change (NOTIFY), so the webhook path does no query per request.
 */
export class ChannelDirectory {
  private byPhone = new Map<string, ChannelCredentials>();
  private byId = new Map<string, ChannelCredentials>();
  private loadedAt = 0;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
    /** False for a Graph API base URL the egress policy refuses (a row saved before the policy, or under another one). */
    private readonly graphAllowed: (baseUrl: string) => boolean = () => true,
  ) {}

  invalidate(): void {
    this.loadedAt = 0;
  }

  private async refresh(): Promise<void> {
    if (Date.now() - this.loadedAt < TTL_MS) {
      return;
    }
    this.loading ??= (async () => {
      try {
        const rows = await allChannels(this.db);
        // A number whose Graph API host is not allowed acts as disabled: nothing sends its token there.
        const creds = rows.map((r) => decryptChannel(this.key, r)).map((c) => (this.graphAllowed(c.graphBaseUrl) ? c : { ...c, status: 'disabled' as const }));
        this.byPhone = new Map(creds.map((c) => [c.phoneNumberId, c]));
        this.byId = new Map(creds.map((c) => [c.id, c]));
        this.loadedAt = Date.now();
      } finally {
        this.loading = null;
      }
    })();
    await this.loading;
  }

  async byPhoneNumberId(phoneNumberId: string): Promise<ChannelCredentials | undefined> {
    await this.refresh();
    return this.byPhone.get(phoneNumberId);
  }

  async get(id: string): Promise<ChannelCredentials | undefined> {
    await this.refresh();
    return this.byId.get(id);
  }

  /** Every distinct app secret: a webhook POST is verified against these before it is parsed. */
  async appSecrets(): Promise<string[]> {
    await this.refresh();
    return [...new Set([...this.byPhone.values()].map((c) => c.appSecret))];
  }

  async all(): Promise<ChannelCredentials[]> {
    await this.refresh();
    return [...this.byId.values()];
  }
}

/** A Cloud API client acting for one number. */
export function clientFor(c: ChannelCredentials, timeoutMs = 15_000, pool?: Dispatcher): CloudApiClient {
  return new CloudApiClient({ baseUrl: c.graphBaseUrl, version: c.graphVersion, accessToken: c.accessToken, phoneNumberId: c.phoneNumberId, wabaId: c.wabaId, timeoutMs, pool });
}
