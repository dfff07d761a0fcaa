/**
 * What the webhook benches and their baseline server (webhookBaseline.ts) agree on. Kept free
 * of imports so the child process loads nothing it does not need.
 */

/** Meta's webhook endpoint, on the app and on the baseline alike. */
export const WEBHOOK_PATH = '/webhooks/whatsapp';

/** The environment variable holding the baseline server's configuration (JSON). */
export const WEBHOOK_BASELINE_ENV = 'SB_BENCH_WEBHOOK_BASELINE';

/** The one table the baseline writes: a row per message, keyed by wamid. */
export const BASELINE_TABLE = 'bench_inbound';

export type WebhookBaselineConfig = { databaseUrl: string; appSecret: string; poolMax: number };

/** The wamid of a one-message notification (entry[0].changes[0].value.messages[0].id), or null. */
export function wamidOf(payload: unknown): string | null {
  const id = (payload as { entry?: Array<{ changes?: Array<{ value?: { messages?: Array<{ id?: unknown }> } }> }> } | null)?.entry?.[0]
    ?.changes?.[0]?.value?.messages?.[0]?.id;
  return typeof id === 'string' && id.length > 0 ? id : null;
}
