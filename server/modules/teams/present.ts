import { subject as asSubject } from '@casl/ability';
import { permittedFieldsOf } from '@casl/ability/extra';
import type { AppAbility } from '../authz/ability';
import type { Team } from './repo';

const TEAM_READ_FIELDS = ['id', 'name', 'description', 'memberCount', 'defaultCapacity'] as const;

/** A team as the API answers it, limited to the fields the viewer may read (the id always). */
export function presentTeam(t: Team, ability: AppAbility) {
  const full = { id: t.id, name: t.name, description: t.description, memberCount: t.memberCount, defaultCapacity: t.defaultCapacity };
  const allowed = new Set(permittedFieldsOf(ability, 'read', asSubject('Team', { id: t.id, name: t.name }), { fieldsFrom: (rule) => rule.fields ?? [...TEAM_READ_FIELDS] }));
  return Object.fromEntries(TEAM_READ_FIELDS.filter((f) => f === 'id' || allowed.has(f)).map((f) => [f, full[f]]));
}
