// The SQL of per-message costs, spend and budget alerts.
import type { Db, Trx } from '../../db/knex';

/** A message to cost: the pricing Meta reported (merged over its statuses) and where it went. */
export type CostCandidate = {
  id: string;
  created_at: Date;
  channel_id: string;
  country: string | null;
  pricing: { billable?: boolean; pricingModel?: string; category?: string; type?: string };
  broadcast_id: string | null;
};

/** Messages with pricing that are not costed yet (by id and creation time, which prunes partitions). */
export async function uncostedMessages(db: Db | Trx, messages: Array<{ messageId: string; createdAt: Date }>): Promise<CostCandidate[]> {
  if (messages.length === 0) {
    return [];
  }
  const result = await db.raw<{ rows: CostCandidate[] }>(
    `SELECT m.id, m.created_at, m.channel_id, c.country, m.pricing,
            (SELECT o.broadcast_id FROM outbox o WHERE o.message_id = m.id LIMIT 1) AS broadcast_id
       FROM unnest(?::uuid[], ?::timestamptz[]) AS k(id, created_at)
       JOIN messages m ON m.id = k.id AND m.created_at = k.created_at
       LEFT JOIN contacts c ON c.id = m.contact_id
      WHERE m.pricing IS NOT NULL AND m.pricing <> '{}'::jsonb
        AND NOT EXISTS (SELECT 1 FROM message_costs mc WHERE mc.message_id = m.id)`,
    [messages.map((m) => m.messageId), messages.map((m) => m.createdAt.toISOString())],
  );
  return result.rows;
}

export type CostRow = {
  message_id: string;
  message_created_at: Date;
  channel_id: string;
  country: string | null;
  category: string | null;
  billable: boolean;
  pricing_model: string | null;
  pricing_type: string | null;
  amount: number | null;
  currency: string | null;
  rate_card_id: string | null;
  broadcast_id: string | null;
};

export type CostedRow = { message_created_at: Date; currency: string | null; amount: string | null };

/** Stores costs; a message already costed (by a concurrent webhook) is left as it was. Returns what was stored. */
export async function insertCosts(trx: Trx, rows: CostRow[]): Promise<CostedRow[]> {
  if (rows.length === 0) {
    return [];
  }
  return trx('message_costs').insert(rows).onConflict('message_id').ignore().returning(['message_created_at', 'currency', 'amount']);
}

export type SpendDimension = 'channel' | 'category' | 'country' | 'broadcast';
const DIMENSION_COLUMN: Record<SpendDimension, string> = { channel: 'mc.channel_id', category: 'mc.category', country: 'mc.country', broadcast: 'mc.broadcast_id' };

export type SpendGroupRow = { key: string | null; currency: string | null; amount: string | null; messages: number; unpriced: number; free: number };

/** Spend in [from, to) grouped by one dimension and currency (unpriced messages have no currency when no card applied). */
export async function spendBy(db: Db | Trx, dimension: SpendDimension, from: Date, to: Date): Promise<SpendGroupRow[]> {
  const column = DIMENSION_COLUMN[dimension];
  const result = await db.raw<{ rows: SpendGroupRow[] }>(
    `SELECT ${column}::text AS key, mc.currency, sum(mc.amount)::text AS amount, count(*)::int AS messages,
            count(*) FILTER (WHERE mc.amount IS NULL)::int AS unpriced,
            count(*) FILTER (WHERE NOT mc.billable)::int AS free
       FROM message_costs mc
      WHERE mc.message_created_at >= ? AND mc.message_created_at < ?
        ${dimension === 'broadcast' ? 'AND mc.broadcast_id IS NOT NULL' : ''}
      GROUP BY 1, 2
      ORDER BY sum(mc.amount) DESC NULLS LAST, 1`,
    [from, to],
  );
  return result.rows;
}

/** What was spent in one currency in [from, to). */
export async function spentIn(db: Db | Trx, currency: string, from: Date, to: Date): Promise<number> {
  const row = await db('message_costs').where('currency', currency).where('message_created_at', '>=', from).where('message_created_at', '<', to).first(db.raw('COALESCE(sum(amount), 0)::text AS spent'));
  return Number((row as { spent: string }).spent);
}

/** Records a threshold reached in a month; false when it was already (it fires once). */
export async function insertBudgetAlert(trx: Trx, a: { month: string; thresholdPercent: number; budget: number; spent: number; currency: string }): Promise<boolean> {
  const rows = await trx('budget_alerts')
    .insert({ month: a.month, threshold_percent: a.thresholdPercent, budget: a.budget, spent: a.spent, currency: a.currency })
    .onConflict(['month', 'threshold_percent']).ignore().returning('month');
  return rows.length === 1;
}

export type BudgetAlertRow = { threshold_percent: number; budget: string; spent: string; currency: string; reached_at: Date };

export async function budgetAlertsOf(db: Db | Trx, month: string): Promise<BudgetAlertRow[]> {
  return db('budget_alerts').where('month', month).orderBy('threshold_percent').select('threshold_percent', 'budget', 'spent', 'currency', 'reached_at');
}

/** Numbers by id, for the spend report's labels. */
export async function channelNames(db: Db | Trx, ids: string[]): Promise<Map<string, string>> {
  const rows: Array<{ id: string; name: string; display_number: string }> = await db('channels').whereIn('id', ids).select('id', 'name', 'display_number');
  return new Map(rows.map((r) => [r.id, `${r.name} (${r.display_number})`]));
}

/** Broadcasts' names by id (the spend by broadcast names them). */
export async function broadcastNames(db: Db | Trx, ids: string[]): Promise<Map<string, string>> {
  const rows: Array<{ id: string; name: string }> = ids.length === 0 ? [] : await db('broadcasts').whereIn('id', ids).select('id', 'name');
  return new Map(rows.map((r) => [r.id, r.name]));
}

/**
 * Sent messages of the last `hours` with pricing but no cost: those whose pricing came in a status
 * parked before their wamid was known (the sender applies it later), or whose costing failed.
 */
export async function pricedUncosted(db: Db | Trx, hours: number, limit: number): Promise<Array<{ messageId: string; createdAt: Date }>> {
  const result = await db.raw<{ rows: Array<{ id: string; created_at: Date }> }>(
    `SELECT m.id, m.created_at FROM messages m
      WHERE m.created_at >= now() - make_interval(hours => ?) AND m.direction = 'out'
        AND m.pricing IS NOT NULL AND m.pricing <> '{}'::jsonb
        AND NOT EXISTS (SELECT 1 FROM message_costs mc WHERE mc.message_id = m.id)
      ORDER BY m.created_at LIMIT ?`,
    [hours, limit],
  );
  return result.rows.map((r) => ({ messageId: r.id, createdAt: r.created_at }));
}
