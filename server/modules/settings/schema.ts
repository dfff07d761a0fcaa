import { z } from 'zod';

/** Appliance-wide settings an admin edits in the panel. Every key has a default. */
export const settingsSchema = z.strictObject({
  organisationName: z.string().trim().min(1).max(120),
  defaultLocale: z.enum(['en', 'fr']),
  supportEmail: z.email().nullable(),
});
export type Settings = z.infer<typeof settingsSchema>;
export const DEFAULT_SETTINGS: Settings = { organisationName: 'Switchboard', defaultLocale: 'en', supportEmail: null };

export const settingsPatch = settingsSchema.partial().refine((b) => Object.keys(b).length > 0, 'Send at least one setting to change.');
export type SettingsPatch = z.infer<typeof settingsPatch>;
