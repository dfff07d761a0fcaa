// What other modules (broadcasts) may use of costs: the dated rate card and the estimate;
// the webhook route costs the messages whose statuses carried pricing.
export { rateCardAt, insertRateCard, PRICING_CATEGORIES, type PricingCategory, type RateCard, type NewRateCard } from './repo';
export { estimateCost, unitPrice, type Estimate, type EstimateLine, type PricedLine } from './estimate';
export { costMessages, sweepUncosted } from './commands';
