import { z } from 'zod';
import { PRICING_CATEGORIES } from './repo';

export const idParams = z.strictObject({ id: z.uuid() });

const day = z.iso.date('A date such as 2027-01-01.');
const currency = z.string().regex(/^[A-Z]{3}$/, 'A currency code such as EUR.');
const price = z.strictObject({
  /** ISO 3166 alpha-2 country of the recipient, or '*' for every country the card does not list. */
  country: z.string().regex(/^([A-Z]{2}|\*)$/, "A two-letter country code, or * for the rest of the world."),
  category: z.enum(PRICING_CATEGORIES),
  /** The price of one message, up to six decimals. */
  price: z.number().min(0).max(999_999),
});

/** A new card, or a future card's new content: its date, currency and every price (the grid). */
export const rateCardBody = z
  .strictObject({
    effectiveFrom: day,
    currency,
    note: z.string().trim().max(500).default(''),
    prices: z.array(price).max(2000),
  })
  .superRefine((card, ctx) => {
    const seen = new Set<string>();
    card.prices.forEach((p, i) => {
      const key = `${p.country}:${p.category}`;
      if (seen.has(key)) {
        ctx.addIssue({ code: 'custom', path: ['prices', i, 'country'], message: `${p.country} ${p.category} is priced twice.` });
      }
      seen.add(key);
    });
  });
export type RateCardInput = z.infer<typeof rateCardBody>;

export const rateCardSchema = z.object({
  id: z.uuid(),
  effectiveFrom: z.string(),
  currency: z.string(),
  note: z.string(),
  /** In force today: the card that prices today's messages. */
  current: z.boolean(),
  /** Starts after today: it may still be changed or deleted. */
  editable: z.boolean(),
  prices: z.array(z.object({ country: z.string(), category: z.enum(PRICING_CATEGORIES), price: z.number() })),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
});
export const rateCardListResponse = z.object({ items: z.array(rateCardSchema) });
export const rateCardResponse = z.object({ card: rateCardSchema });

export const spendQuery = z.strictObject({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'A month such as 2026-12.').optional() });

const spendLine = z.object({
  /** The number's, category's, country's or broadcast's id ('' when Meta gave none). */
  key: z.string(),
  /** The number's name and display number, or the broadcast's name; the key otherwise. */
  label: z.string(),
  /** Null for messages no card could price. */
  currency: z.string().nullable(),
  amount: z.number(),
  messages: z.number(),
  unpriced: z.number(),
  free: z.number(),
});
export const spendResponse = z.object({
  month: z.string(),
  totals: z.array(z.object({ currency: z.string().nullable(), amount: z.number(), messages: z.number(), unpriced: z.number(), free: z.number() })),
  byNumber: z.array(spendLine),
  byCategory: z.array(spendLine),
  byCountry: z.array(spendLine),
  byBroadcast: z.array(spendLine),
  budget: z.object({ amount: z.number(), currency: z.string(), alertPercent: z.number(), spent: z.number(), percentUsed: z.number() }).nullable(),
  alerts: z.array(z.object({ thresholdPercent: z.number(), budget: z.number(), spent: z.number(), currency: z.string(), reachedAt: z.string() })),
});
export type SpendReport = z.infer<typeof spendResponse>;
