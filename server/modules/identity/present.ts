import { subject as asSubject } from '@casl/ability';
import { permittedFieldsOf } from '@casl/ability/extra';
import type { AuthState } from './principal';
import type { AppAbility } from '../authz/ability';
import type { User } from './userRepo';
import { preferencesSchema, type Preferences } from './schema';

const USER_FIELDS = ['id', 'email', 'name', 'status', 'locale', 'mustChangePassword', 'roleIds', 'teamIds', 'lastLoginAt', 'createdAt'] as const;

/** A user as the API shows it, limited to the fields the viewer may read. */
export function presentUser(user: User, ability: AppAbility): Record<string, unknown> {
  const full: Record<(typeof USER_FIELDS)[number], unknown> = {
    id: user.id,
    email: user.email,
    name: user.name,
    status: user.status,
    locale: user.locale,
    mustChangePassword: user.mustChangePassword,
    roleIds: user.roleIds,
    teamIds: user.teamIds,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  };
  const allowed = new Set(
    permittedFieldsOf(ability, 'read', asSubject('User', { ...user }), { fieldsFrom: (rule) => rule.fields ?? [...USER_FIELDS] }),
  );
  return Object.fromEntries(USER_FIELDS.filter((f) => allowed.has(f) || f === 'id').map((f) => [f, full[f]]));
}

/** The signed-in user, CSRF token and packed rules: what the UI loads once per session. */
export function presentMe(auth: AuthState) {
  const u = auth.user;
  return {
    user: { id: u.id, email: u.email, name: u.name, locale: u.locale, mustChangePassword: u.mustChangePassword, roleIds: u.roleIds, teamIds: u.teamIds },
    csrfToken: auth.csrfToken,
    rules: auth.packedRules,
  };
}

const DEFAULT_PREFERENCES: Preferences = { newCustomerAlerts: 'unset', sound: false };

/** The user's preferences with a default for each one never set (and nothing else that is stored). */
export function presentPreferences(stored: Record<string, unknown> | undefined): Preferences {
  const parsed = preferencesSchema.partial().safeParse(stored ?? {});
  const known = parsed.success ? parsed.data : {};
  return {
    newCustomerAlerts: known.newCustomerAlerts ?? DEFAULT_PREFERENCES.newCustomerAlerts,
    sound: known.sound ?? DEFAULT_PREFERENCES.sound,
  };
}
