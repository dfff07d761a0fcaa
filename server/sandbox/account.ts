import { appSecretOfWaba, numberOrThrow, type Core } from './core';
import { clampMps, DEFAULT_MPS, MAX_MPS } from './rateLimits';
import type { TemplateRecord } from './templates';
import type { MessagingLimitTier, QualityChange } from './types';
import { envelope } from './webhooks';

const TIER_ORDER: MessagingLimitTier[] = ['TIER_50', 'TIER_250', 'TIER_1K', 'TIER_10K', 'TIER_100K', 'TIER_UNLIMITED'];

/** Changes a number's throughput (1..1000 messages/s) at once, without a webhook (a test knob). */
export function setThroughput(core: Core, phoneNumberId: string, mps: number): void {
  const number = numberOrThrow(core, phoneNumberId);
  number.throughputMps = clampMps(mps);
  number.bucket.reconfigure(number.throughputMps, number.throughputMps);
}

/** Meta's throughput level for a rate: HIGH once upgraded beyond the default 80 messages/s. */
export function throughputLevel(mps: number): 'STANDARD' | 'HIGH' {
  return mps > DEFAULT_MPS ? 'HIGH' : 'STANDARD';
}

/**
 * Changes quality rating, messaging tier or throughput level the way Meta's reviews do, and
 * sends `phone_number_quality_update` with the event that names the change: FLAGGED (quality
 * dropped to RED), UNFLAGGED, UPGRADE/DOWNGRADE (tier), THROUGHPUT_UPGRADE (to 1,000 messages/s).
 */
export function setQuality(core: Core, change: QualityChange): void {
  const number = numberOrThrow(core, change.phoneNumberId);
  const events: string[] = [];
  const oldTier = number.messagingLimitTier;
  if (change.qualityRating && change.qualityRating !== number.qualityRating) {
    if (change.qualityRating === 'RED') {
      events.push('FLAGGED');
    } else if (number.qualityRating === 'RED') {
      events.push('UNFLAGGED');
    }
    number.qualityRating = change.qualityRating;
  }
  if (change.messagingLimitTier && change.messagingLimitTier !== oldTier) {
    events.push(TIER_ORDER.indexOf(change.messagingLimitTier) > TIER_ORDER.indexOf(oldTier) ? 'UPGRADE' : 'DOWNGRADE');
    number.messagingLimitTier = change.messagingLimitTier;
  }
  if (change.throughputLevel && change.throughputLevel !== throughputLevel(number.throughputMps)) {
    setThroughput(core, change.phoneNumberId, change.throughputLevel === 'HIGH' ? MAX_MPS : DEFAULT_MPS);
    if (change.throughputLevel === 'HIGH') {
      events.push('THROUGHPUT_UPGRADE');
    }
  }
  for (const event of events) {
    const value: Record<string, unknown> = {
      display_phone_number: number.digits,
      event,
      current_limit: number.messagingLimitTier,
    };
    if (event === 'UPGRADE' || event === 'DOWNGRADE') {
      value.old_limit = oldTier;
    }
    const payload = envelope(number.cfg.wabaId, [{ field: 'phone_number_quality_update', value }], Math.floor(Date.now() / 1000));
    core.webhooks.send(payload, number.cfg.appSecret, `quality:${event}`);
  }
}

/**
 * Meta reviews a new template: after `templateReviewMs` it is APPROVED, or REJECTED when its name
 * contains 'reject' (the sandbox's convention), and `message_template_status_update` is sent.
 */
export function scheduleReview(core: Core, template: TemplateRecord): void {
  core.scheduler.after(core.opts.templateReviewMs, () => {
    if (template.status !== 'PENDING') {
      return;
    }
    const rejected = template.name.includes('reject');
    template.status = rejected ? 'REJECTED' : 'APPROVED';
    core.state.counters.templates[rejected ? 'rejected' : 'approved'] += 1;
    const secret = appSecretOfWaba(core, template.wabaId);
    if (!secret) {
      return;
    }
    const value = {
      event: template.status,
      message_template_id: Number(template.id),
      message_template_name: template.name,
      message_template_language: template.language,
      reason: rejected ? 'INVALID_FORMAT' : 'NONE',
      message_template_category: template.category,
    };
    const payload = envelope(template.wabaId, [{ field: 'message_template_status_update', value }], Math.floor(Date.now() / 1000));
    core.webhooks.send(payload, secret, `template:${template.status}`);
  });
}
