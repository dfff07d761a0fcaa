import type { Logger } from '../lib/logger';
import { unknownObject } from './errors';
import { MediaStore } from './media';
import { SandboxState, Scheduler, type NumberState } from './state';
import { TemplateStore } from './templates';
import type { FailureRule, SandboxOptions } from './types';
import { UploadStore } from './uploads';
import { DEFAULT_RETRY_DELAYS_MS, WebhookDispatcher } from './webhooks';

/** Options with every default filled in. */
export type ResolvedOptions = {
  statusDelaysMs: { sent: number; delivered: number; read: number };
  autoRead: boolean;
  templateReviewMs: number;
  mediaUrlTtlMs: number;
  publicBaseUrl?: string;
  reorderProbability: number;
  windowErrorDelivery: 'response' | 'webhook';
  defaultGraphVersion: string;
  statusBatch: { windowMs: number; maxChanges: number } | null;
};

/** Everything the sandbox's parts share: state, timers, the webhook sender, media and templates. */
export type Core = {
  opts: ResolvedOptions;
  state: SandboxState;
  scheduler: Scheduler;
  webhooks: WebhookDispatcher;
  media: MediaStore;
  templates: TemplateStore;
  /** Resumable Upload API sessions and the handles of finished files (template samples). */
  uploads: UploadStore;
  failures: Array<FailureRule & { remaining: number }>;
  log?: Logger;
};

/** Meta's figures where the caller gave none: statuses 50/300/1500 ms, URLs valid 5 minutes. */
export function createCore(opts: SandboxOptions): Core {
  const ids = new Set<string>();
  for (const n of opts.numbers) {
    if (ids.has(n.phoneNumberId)) {
      throw new Error(`Sandbox number ${n.phoneNumberId} is configured twice`);
    }
    ids.add(n.phoneNumberId);
  }
  const state = new SandboxState(opts.numbers, opts.rateClock);
  const scheduler = new Scheduler();
  const reorder = opts.reorder === true ? 0.25 : typeof opts.reorder === 'number' ? Math.min(1, Math.max(0, opts.reorder)) : 0;
  const resolved: ResolvedOptions = {
    statusDelaysMs: opts.statusDelaysMs ?? { sent: 50, delivered: 300, read: 1500 },
    autoRead: opts.autoRead ?? true,
    templateReviewMs: opts.templateReviewMs ?? 3000,
    mediaUrlTtlMs: opts.mediaUrlTtlMs ?? 5 * 60_000,
    publicBaseUrl: opts.publicBaseUrl?.replace(/\/+$/, ''),
    reorderProbability: reorder,
    // The live API accepts the send and reports 131047 in a `failed` status webhook.
    windowErrorDelivery: opts.windowErrorDelivery ?? 'webhook',
    defaultGraphVersion: opts.defaultGraphVersion ?? 'v23.0',
    statusBatch: opts.statusBatch ? { windowMs: opts.statusBatch.windowMs, maxChanges: Math.min(1000, opts.statusBatch.maxChanges ?? 1000) } : null,
  };
  const wabaIds = [...new Set(opts.numbers.map((n) => n.wabaId))];
  return {
    opts: resolved,
    state,
    scheduler,
    webhooks: new WebhookDispatcher(
      opts.webhookUrl,
      opts.webhookRetry?.delaysMs ?? DEFAULT_RETRY_DELAYS_MS,
      opts.webhookTimeoutMs ?? 10_000,
      state,
      scheduler,
      opts.log,
    ),
    media: new MediaStore(resolved.mediaUrlTtlMs),
    templates: new TemplateStore(wabaIds, opts.templates ?? []),
    uploads: new UploadStore(),
    failures: [],
    log: opts.log,
  };
}

/** A configured number, or Graph's "object does not exist" error. */
export function numberOrThrow(core: Core, phoneNumberId: string, method: 'get' | 'post' | 'delete' = 'post'): NumberState {
  const number = core.state.numbers.get(phoneNumberId);
  if (!number) {
    throw unknownObject(phoneNumberId, method);
  }
  return number;
}

/** The app secret that signs a WABA's notifications (all its numbers belong to one app). */
export function appSecretOfWaba(core: Core, wabaId: string): string | undefined {
  return core.state.numbersOfWaba(wabaId)[0]?.cfg.appSecret;
}

/** Takes the first injected failure matching this send, if any, counting down its uses. */
export function takeFailure(core: Core, phoneNumberId: string, waId: string): FailureRule | undefined {
  const index = core.failures.findIndex(
    (f) => (!f.phoneNumberId || f.phoneNumberId === phoneNumberId) && (!f.to || f.to.replace(/\D/g, '') === waId),
  );
  if (index < 0) {
    return undefined;
  }
  const rule = core.failures[index]!;
  rule.remaining -= 1;
  if (rule.remaining <= 0) {
    core.failures.splice(index, 1);
  }
  return rule;
}
