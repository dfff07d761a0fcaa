// What other modules (broadcasts) may use of costs: the dated rate card and the estimate.
export { rateCardAt, insertRateCard, PRICING_CATEGORIES, type PricingCategory, type RateCard, type NewRateCard } from './repo';
export { estimateCost, unitPrice, type Estimate, type EstimateLine, type PricedLine } from './estimate';
