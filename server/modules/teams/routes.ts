import { z } from 'zod';
import { actorOf, authOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { assertCanRow } from '../authz/guard';
import { whereAccessible } from '../authz/sql';
import { deleteTeam, findTeam, insertTeam, listTeams, TEAM_FIELDS, updateTeam, type Team } from './repo';

const idParams = z.strictObject({ id: z.uuid() });
const name = z.string().trim().min(1).max(80);
const description = z.string().trim().max(500);
const createBody = z.strictObject({ name, description: description.default('') });
const updateBody = z
  .strictObject({ name: name.optional(), description: description.optional() })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change.');
const teamSchema = z.object({ id: z.uuid(), name: z.string(), description: z.string(), memberCount: z.number() });

const present = (t: Team) => ({ id: t.id, name: t.name, description: t.description, memberCount: t.memberCount });

/** Teams: groups of agents that routing and conditions (`${user.teamIds}`) refer to. */
export function registerTeamRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/teams', tag: 'teams', summary: 'List teams', access: access.can('read', 'Team'),
    responses: { 200: { description: 'Teams', schema: z.object({ items: z.array(teamSchema) }) } },
    handler: async (ctx) => {
      const { ability } = authOf(ctx);
      const teams = await listTeams(s.db, (q) => whereAccessible(q, ability, 'read', 'Team', TEAM_FIELDS));
      ctx.body = { items: teams.map(present) };
    },
  });
  t.add({
    method: 'post', path: '/teams', tag: 'teams', summary: 'Create a team', access: access.can('create', 'Team'),
    body: createBody, responses: { 201: { description: 'Created', schema: z.object({ team: teamSchema }) } },
    handler: async (ctx, { body }) => {
      const id = newId();
      const team = await s.db.transaction(async (trx) => {
        await insertTeam(trx, { id, ...body });
        await s.audit.appendIn(trx, actorOf(ctx), [{ action: 'team.created', subjectType: 'Team', subjectId: id, details: { name: body.name } }]);
        return (await findTeam(trx, id))!;
      });
      ctx.status = 201;
      ctx.body = { team: present(team) };
    },
  });
  t.add({
    method: 'patch', path: '/teams/:id', tag: 'teams', summary: 'Rename or describe a team', access: access.can('update', 'Team'),
    params: idParams, body: updateBody, responses: { 200: { description: 'Updated', schema: z.object({ team: teamSchema }) } },
    handler: async (ctx, { params, body }) => {
      assertCanRow(authOf(ctx).ability, 'update', 'Team', await findTeam(s.db, params.id));
      const team = await s.db.transaction(async (trx) => {
        await updateTeam(trx, params.id, body);
        await s.audit.appendIn(trx, actorOf(ctx), [{ action: 'team.updated', subjectType: 'Team', subjectId: params.id, details: { fields: Object.keys(body) } }]);
        return (await findTeam(trx, params.id))!;
      });
      ctx.body = { team: present(team) };
    },
  });
  t.add({
    method: 'delete', path: '/teams/:id', tag: 'teams', summary: 'Delete a team (members stay, without it)',
    access: access.can('delete', 'Team'), params: idParams, responses: { 204: { description: 'Deleted' } },
    handler: async (ctx, { params }) => {
      assertCanRow(authOf(ctx).ability, 'delete', 'Team', await findTeam(s.db, params.id));
      await s.db.transaction(async (trx) => {
        const members = await deleteTeam(trx, params.id);
        await s.audit.appendIn(trx, actorOf(ctx), [{ action: 'team.deleted', subjectType: 'Team', subjectId: params.id, details: { memberIds: members } }]);
        for (const userId of members) {
          await s.sessions.invalidateEverywhere(trx, `user:${userId}`);
        }
      });
      ctx.status = 204;
    },
  });
}
