/** Roles and teams by id, for showing names (built-in roles in the panel's language) and offering checkboxes. */
import { useEffect, useMemo, useState } from 'react';
import { useSession } from './auth';
import { useI18n } from './i18n';
import { roleTexts } from './permissions';
import { rolesApi, teamsApi } from './endpoints';
import type { Role, Team } from './types';

/** What a name shows while its list is loading. */
const PENDING = '…';

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
  // null until the list has come back: a name is then shown as "…", not as a raw id for a moment.
  const [roles, setRoles] = useState<Role[] | null>(null);
  const [teams, setTeams] = useState<Team[] | null>(null);
  const canReadRoles = ability.can('read', 'Role');
  const canReadTeams = ability.can('read', 'Team');

  useEffect(() => {
    let live = true;
    if (canReadRoles) {
      rolesApi.list().then(
        (page) => live && setRoles(page.items),
        () => live && setRoles([]),
      );
    }
    if (canReadTeams) {
      teamsApi.list().then(
        (page) => live && setTeams(page.items),
        () => live && setTeams([]),
      );
    }
    return () => {
      live = false;
    };
  }, [canReadRoles, canReadTeams]);

  return useMemo(() => {
    const rolesPending = canReadRoles && roles === null;
    const teamsPending = canReadTeams && teams === null;
    const roleById = new Map((roles ?? []).map((role) => [role.id, roleTexts(role, lang).name]));
    const teamById = new Map((teams ?? []).map((team) => [team.id, team.name]));
    return {
      roles: roles ?? [],
      teams: teams ?? [],
      roleName: (id) => roleById.get(id) ?? (rolesPending ? PENDING : id),
      teamName: (id) => teamById.get(id) ?? (teamsPending ? PENDING : id),
    };
  }, [roles, teams, lang, canReadRoles, canReadTeams]);
}
