import { z } from 'zod';

/** Appliance-wide settings an admin edits in the panel. Every key has a default. */
export const settingsSchema = z.strictObject({
  organisationName: z.string().trim().min(1).max(120),
  defaultLocale: z.enum(['en', 'fr']),
  supportEmail: z.email().nullable(),
  /** A customer whose message is one of these words (case, accents and surrounding punctuation ignored) is opted out of marketing. */
  optOutKeywords: z.array(z.string().trim().min(1).max(40)).min(1).max(50),
  /** What may be spent on WhatsApp messages per calendar month (UTC), or null for no budget. */
  monthlyBudget: z.strictObject({ amount: z.number().positive().max(1e9), currency: z.string().regex(/^[A-Z]{3}$/, 'A currency code such as EUR.') }).nullable(),
  /** The share of the budget at which admins are alerted (and again at 100%). */
  budgetAlertPercent: z.number().int().min(1).max(100),
});
export type Settings = z.infer<typeof settingsSchema>;
export const DEFAULT_SETTINGS: Settings = {
  organisationName: 'Switchboard', defaultLocale: 'en', supportEmail: null,
  optOutKeywords: ['STOP', 'ARRET', 'ARRÊT', 'UNSUBSCRIBE', 'DESINSCRIRE'],
  monthlyBudget: null, budgetAlertPercent: 80,
};

export const settingsPatch = settingsSchema.partial().refine((b) => Object.keys(b).length > 0, 'Send at least one setting to change.');
export type SettingsPatch = z.infer<typeof settingsPatch>;
