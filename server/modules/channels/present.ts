import { subject as asSubject } from '@casl/ability';
import { permittedFieldsOf } from '@casl/ability/extra';
import type { AppAbility } from '../authz/ability';
import type { ChannelRow } from './repo';

const ALL_FIELDS = ['id', 'name', 'phoneNumberId', 'wabaId', 'displayNumber', 'graphBaseUrl', 'graphVersion', 'appId', 'lane', 'throughputMps', 'qualityRating', 'messagingTier', 'status', 'statusReason', 'webhookUrl', 'secrets', 'lastTestAt', 'lastTestOk', 'createdAt', 'isSandbox'];

/** A number as the API shows it: secrets only as "set" and their last four characters. */
export function presentChannel(c: ChannelRow, ability: AppAbility, publicUrl: string) {
  const full: Record<string, unknown> = {
    id: c.id, name: c.name, phoneNumberId: c.phone_number_id, wabaId: c.waba_id, displayNumber: c.display_number,
    graphBaseUrl: c.graph_base_url, graphVersion: c.graph_version, appId: c.app_id ?? null, lane: c.lane, throughputMps: c.throughput_mps,
    qualityRating: c.quality_rating, messagingTier: c.messaging_tier, status: c.status, statusReason: c.status_reason,
    webhookUrl: `${publicUrl}/webhooks/whatsapp`,
    secrets: {
      accessToken: { set: true, last4: c.access_token_last4 },
      appSecret: { set: true, last4: c.app_secret_last4 },
      verifyToken: { set: true, last4: c.verify_token_last4 },
    },
    lastTestAt: c.last_test_at?.toISOString() ?? null, lastTestOk: c.last_test_ok, createdAt: c.created_at.toISOString(), isSandbox: c.is_sandbox,
  };
  const allowed = new Set(permittedFieldsOf(ability, 'read', asSubject('Channel', { id: c.id, wabaId: c.waba_id, lane: c.lane, status: c.status }), { fieldsFrom: (r) => r.fields ?? ALL_FIELDS }));
  return Object.fromEntries(ALL_FIELDS.filter((f) => f === 'id' || allowed.has(f)).map((f) => [f, full[f]]));
}
