import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from './passwords';

export const idParams = z.strictObject({ id: z.uuid() });

const email = z.string().trim().max(254).pipe(z.email());
const name = z.string().trim().min(1).max(120);
const ids = z.array(z.uuid()).max(100);
const locale = z.enum(['en', 'fr']);

export const loginBody = z.strictObject({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(PASSWORD_MAX_LENGTH) });
export const passwordBody = z.strictObject({
  currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  newPassword: z.string().min(1).max(1024),
});
export const createUserBody = z.strictObject({
  email,
  name,
  roleIds: ids.default([]),
  teamIds: ids.default([]),
  locale: locale.optional(),
});
export const updateUserBody = z
  .strictObject({ name: name.optional(), locale: locale.optional(), roleIds: ids.optional(), teamIds: ids.optional() })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change.');
export const listUsersQuery = z.strictObject({
  q: z.string().trim().max(120).optional(),
  status: z.enum(['active', 'disabled']).optional(),
  cursor: z.string().max(254).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  status: z.enum(['active', 'disabled']),
  locale,
  mustChangePassword: z.boolean(),
  roleIds: z.array(z.string()),
  teamIds: z.array(z.string()),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});
export const meSchema = z.object({
  user: z.object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    locale,
    mustChangePassword: z.boolean(),
    roleIds: z.array(z.string()),
    teamIds: z.array(z.string()),
  }),
  csrfToken: z.string(),
  rules: z.array(z.unknown()).describe('CASL packed rules (unpackRules)'),
});
/** `GET /auth/session`: the session when signed in; when not, whether it just ended for inactivity. */
export const sessionResponse = z.object({
  session: meSchema.nullable(),
  idleMinutes: z.number().int().nullable().describe('Set when the session was signed out for inactivity: the idle timeout in minutes'),
});

export const userResponse = z.object({ user: userSchema });
export const usersResponse = z.object({ items: z.array(userSchema), nextCursor: z.string().nullable() });
export const createdUserResponse = z.object({ user: userSchema, temporaryPassword: z.string() });
export const resetPasswordResponse = z.object({ temporaryPassword: z.string() });

/**
 * A user's own preferences, stored on the server so they follow the user across browsers.
 * `newCustomerAlerts`: whether to be alerted (desktop notification) of new customers and of new
 * messages in one's own conversations; `unset` until the user answers the inbox's prompt once.
 */
export const preferencesSchema = z.object({
  newCustomerAlerts: z.enum(['unset', 'enabled', 'declined']),
  sound: z.boolean().describe('Play a short tone with each alert'),
});
export const preferencesBody = z
  .strictObject({ newCustomerAlerts: z.enum(['enabled', 'declined']).optional(), sound: z.boolean().optional() })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one preference to change.');
export const preferencesResponse = z.object({ preferences: preferencesSchema });
export type Preferences = z.infer<typeof preferencesSchema>;
