import type { Team } from './repo';

/** A team as the API answers it. */
export function presentTeam(t: Team) {
  return { id: t.id, name: t.name, description: t.description, memberCount: t.memberCount };
}
