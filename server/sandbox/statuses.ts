import type { Core } from './core';
import { statusError } from './errors';
import { randomHex, unixSeconds } from './ids';
import type { ConversationState, MessageRecord, NumberState } from './state';
import { envelope } from './webhooks';

/** A customer service window lasts 24 hours from the customer's last message. */
export const WINDOW_MS = 24 * 3_600_000;
const STATUS_RANK: Record<string, number> = { accepted: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

type StatusName = 'sent' | 'delivered' | 'read' | 'failed';

/** True while the customer's last message to this number is under 24 hours old. */
export function windowOpen(conv: ConversationState | undefined, now = Date.now()): boolean {
  return conv?.lastInboundAt !== undefined && now - conv.lastInboundAt < WINDOW_MS;
}

/**
 * Pricing as status webhooks carry it since per-message pricing (PMP, July 2025): free-form
 * messages are free customer service; utility templates are free inside an open window; other
 * templates are billable `regular` messages of their category.
 */
export function pricingFor(record: MessageRecord, windowWasOpen: boolean): { billable: boolean; pricing_model: 'PMP'; category: string; type: string } {
  const category = record.category ?? 'service';
  const free = category === 'service' || (category === 'utility' && windowWasOpen);
  return { billable: !free, pricing_model: 'PMP', category, type: free ? 'free_customer_service' : 'regular' };
}

/** Emits the status webhooks that follow a send, and the read receipts of the simulated customer. */
export class StatusEmitter {
  /**
   * Changes waiting for their batched delivery (statusBatch). Meta delivers to an app's webhook,
   * one entry per WABA: the numbers of one WABA signed by one app share a delivery.
   */
  private readonly batches = new Map<string, { wabaId: string; appSecret: string; changes: Array<{ field: string; value: unknown }> }>();

  constructor(private readonly core: Core) {}

  /** One status change goes out: at once, or in its number's next batch. */
  private deliver(number: NumberState, value: unknown): void {
    const batch = this.core.opts.statusBatch;
    if (!batch) {
      this.post(number.cfg.wabaId, number.cfg.appSecret, [{ field: 'messages', value }]);
      return;
    }
    const key = `${number.cfg.wabaId}|${number.cfg.appSecret}`;
    let pending = this.batches.get(key);
    if (!pending) {
      pending = { wabaId: number.cfg.wabaId, appSecret: number.cfg.appSecret, changes: [] };
      this.batches.set(key, pending);
      this.core.scheduler.after(batch.windowMs, () => this.flush(key));
    }
    pending.changes.push({ field: 'messages', value });
    if (pending.changes.length >= batch.maxChanges) {
      this.flush(key);
    }
  }

  private flush(key: string): void {
    const pending = this.batches.get(key);
    this.batches.delete(key);
    if (pending && pending.changes.length > 0) {
      this.post(pending.wabaId, pending.appSecret, pending.changes);
    }
  }

  private post(wabaId: string, appSecret: string, changes: Array<{ field: string; value: unknown }>): void {
    const stats = this.core.state.counters.statusDeliveries;
    stats.posts += 1;
    stats.changes += changes.length;
    stats.maxChangesPerPost = Math.max(stats.maxChangesPerPost, changes.length);
    this.core.webhooks.send(envelope(wabaId, changes), appSecret, `status:${changes.length}`);
  }

  /**
   * After an accepted send: `sent`, `delivered`, then `read` if the customer reads by itself; or
   * `failed` with `failure` (undeliverable recipients, injected asynchronous errors). With the
   * reorder option some statuses come twice or `delivered` before `sent`, as Meta allows.
   */
  afterAccept(number: NumberState, conv: ConversationState, record: MessageRecord, failure?: { code: number; details?: string }): void {
    const { sent, delivered, read } = this.core.opts.statusDelaysMs;
    if (failure) {
      this.core.scheduler.after(sent, () => this.emit(number, conv, record, 'failed', failure));
      return;
    }
    const windowWasOpen = windowOpen(conv);
    const p = this.core.opts.reorderProbability;
    const swap = p > 0 && Math.random() < p;
    const sentAt = swap ? delivered : sent;
    const deliveredAt = swap ? sent : delivered;
    this.core.scheduler.after(sentAt, () => this.emit(number, conv, record, 'sent', undefined, windowWasOpen));
    this.core.scheduler.after(deliveredAt, () => this.emit(number, conv, record, 'delivered', undefined, windowWasOpen));
    if (p > 0 && Math.random() < p) {
      const again: StatusName = Math.random() < 0.5 ? 'sent' : 'delivered';
      this.core.scheduler.after(Math.max(sentAt, deliveredAt) + 20 + Math.floor(Math.random() * 200), () =>
        this.emit(number, conv, record, again, undefined, windowWasOpen),
      );
    }
    if (this.core.opts.autoRead) {
      this.core.scheduler.after(Math.max(read, deliveredAt, sentAt), () => this.markRead(number, conv, record));
    }
  }

  /** The customer opens the chat: every business message not yet read gets a `read` status. */
  customerReads(number: NumberState, conv: ConversationState): number {
    let count = 0;
    for (const record of conv.messages) {
      if (record.direction === 'out' && record.status !== 'read' && record.status !== 'failed') {
        this.markRead(number, conv, record);
        count += 1;
      }
    }
    return count;
  }

  private markRead(number: NumberState, conv: ConversationState, record: MessageRecord): void {
    if (record.status === 'read' || record.status === 'failed') {
      return;
    }
    this.emit(number, conv, record, 'read');
  }

  private emit(
    number: NumberState,
    conv: ConversationState,
    record: MessageRecord,
    status: StatusName,
    failure?: { code: number; details?: string },
    windowWasOpen = false,
  ): void {
    if ((STATUS_RANK[status] ?? 0) > (STATUS_RANK[record.status ?? 'accepted'] ?? 0)) {
      record.status = status;
    }
    this.core.state.counters.statuses[status] += 1;
    const entry: Record<string, unknown> = {
      id: record.wamid,
      status,
      timestamp: unixSeconds(),
      recipient_id: conv.waId,
    };
    if (status === 'failed' && failure) {
      this.core.state.countViolation(failure.code);
      entry.errors = [statusError(failure.code, failure.details)];
    }
    // Pricing rides on `sent` and on `delivered` (Meta: on sent and on one of delivered/read).
    if (status === 'sent' || status === 'delivered') {
      const pricing = pricingFor(record, windowWasOpen);
      entry.conversation = this.conversationObject(conv, pricing.category, status === 'sent');
      entry.pricing = pricing;
    }
    if (record.opaque !== undefined) {
      entry.biz_opaque_callback_data = record.opaque;
    }
    const value = {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: number.digits, phone_number_id: number.cfg.phoneNumberId },
      statuses: [entry],
    };
    this.deliver(number, value);
  }

  /** The 24-hour conversation this message belongs to; its expiration only on the `sent` status. */
  private conversationObject(conv: ConversationState, category: string, withExpiry: boolean): Record<string, unknown> {
    const now = Date.now();
    let billing = conv.billing.get(category);
    if (!billing || billing.expiresAt <= now) {
      billing = { id: randomHex(16), expiresAt: now + WINDOW_MS };
      conv.billing.set(category, billing);
    }
    return {
      id: billing.id,
      ...(withExpiry ? { expiration_timestamp: unixSeconds(billing.expiresAt) } : {}),
      origin: { type: category },
    };
  }
}
