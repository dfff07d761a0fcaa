/** Roles and teams by id, for showing names (built-in roles in the panel's language) and offering checkboxes. */
import { useEffect, useMemo, useState } from 'react';
import { useSession } from './auth';
import { useI18n } from './i18n';
import { roleTexts } from './permissions';
import { rolesApi, teamsApi } from './endpoints';
import type { Role, Team } from './types';

export interface Lookups {
  roles: Role[];
  teams: Team[];
  roleName: (id: string) => string;
  teamName: (id: string) => string;
}

/**
 * Loads roles and teams the user may read. Without `read Role`/`read Team` the lists stay
 * empty and ids are shown as they are: the server, not the UI, decides who sees what.
 */
export function useLookups(): Lookups {
  const { ability } = useSession();
  const { lang } = useI18n();
  const [roles, setRoles] = useState<Role[]>([]);
  const [teams, setTeams] = useState<Team[]>([]);
  const canReadRoles = ability.can('read', 'Role');
  const canReadTeams = ability.can('read', 'Team');

  useEffect(() => {
    let live = true;
    if (canReadRoles) {
      rolesApi.list().then(
        (page) => live && setRoles(page.items),
        () => undefined,
      );
    }
    if (canReadTeams) {
      teamsApi.list().then(
        (page) => live && setTeams(page.items),
        () => undefined,
      );
    }
    return () => {
      live = false;
    };
  }, [canReadRoles, canReadTeams]);

  return useMemo(() => {
    const roleById = new Map(roles.map((role) => [role.id, roleTexts(role, lang).name]));
    const teamById = new Map(teams.map((team) => [team.id, team.name]));
    return {
      roles,
      teams,
      roleName: (id) => roleById.get(id) ?? id,
      teamName: (id) => teamById.get(id) ?? id,
    };
  }, [roles, teams, lang]);
}
