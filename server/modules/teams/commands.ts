import { isUniqueViolation } from '../../db/knex';
import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { deleteTeam, findTeam, insertTeam, updateTeam, type Team } from './repo';
import type { CreateTeamInput, UpdateTeamInput } from './schema';

/** Team names are unique whatever their case (teams_name_lower_key): say so beside the name. */
function nameTaken(err: unknown): never {
  throw isUniqueViolation(err, 'teams_name_lower_key') ? errors.taken('A team with this name already exists.', 'body.name') : err;
}

/** Creates a team; audited. */
export async function createTeam(s: Services, actor: Actor, input: CreateTeamInput): Promise<Team> {
  const id = newId();
  return s.db.transaction(async (trx) => {
    await insertTeam(trx, { id, ...input }).catch(nameTaken);
    await s.audit.appendIn(trx, actor, [{ action: 'team.created', subjectType: 'Team', subjectId: id, details: { name: input.name } }]);
    return (await findTeam(trx, id))!;
  });
}

/** Renames or describes a team; audited with the fields changed. */
export async function editTeam(s: Services, actor: Actor, id: string, patch: UpdateTeamInput): Promise<Team> {
  return s.db.transaction(async (trx) => {
    await updateTeam(trx, id, patch).catch(nameTaken);
    await s.audit.appendIn(trx, actor, [{ action: 'team.updated', subjectType: 'Team', subjectId: id, details: { fields: Object.keys(patch) } }]);
    return (await findTeam(trx, id))!;
  }).then((team) => {
    // A raised default capacity may let the router place waiting conversations.
    if (patch.defaultCapacity !== undefined) {
      s.onRoutingNeeded();
    }
    return team;
  });
}

/** Deletes a team; its members stay, without it, and their sessions pick that up at once. */
export async function removeTeam(s: Services, actor: Actor, id: string): Promise<void> {
  await s.db.transaction(async (trx) => {
    const members = await deleteTeam(trx, id);
    await s.audit.appendIn(trx, actor, [{ action: 'team.deleted', subjectType: 'Team', subjectId: id, details: { memberIds: members } }]);
    for (const userId of members) {
      await s.sessions.invalidateEverywhere(trx, `user:${userId}`);
    }
  });
}
