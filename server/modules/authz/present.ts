import { builtinRoleTexts } from './catalogue';
import { grantableBy, type Grantor } from './grants';
import type { Role } from './roleRepo';

/**
 * A role as the API answers it, with whether the caller could grant it. A built-in role also
 * carries its shipped texts in each language, so the panel shows it in the user's language.
 */
export const presentRole = (r: Role, grantor: Pick<Grantor, 'ability' | 'self'>) => ({
  id: r.id, key: r.key, name: r.name, description: r.description, builtin: r.builtin, rules: r.rules, userCount: r.userCount,
  translations: r.builtin ? builtinRoleTexts(r.key) : null,
  grantable: grantableBy(grantor, r.rules),
});
