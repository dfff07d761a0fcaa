import { grantableBy, type Grantor } from './grants';
import type { Role } from './roleRepo';

/** A role as the API answers it, with whether the caller could grant it. */
export const presentRole = (r: Role, grantor: Pick<Grantor, 'ability' | 'self'>) => ({
  id: r.id, key: r.key, name: r.name, description: r.description, builtin: r.builtin, rules: r.rules, userCount: r.userCount,
  grantable: grantableBy(grantor, r.rules),
});
