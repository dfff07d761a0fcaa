import { actorOf, authOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { assertCanRow } from '../authz/guard';
import { whereAccessible } from '../authz/sql';
import { createTeam, editTeam, removeTeam } from './commands';
import { presentTeam } from './present';
import { findTeam, listTeams, TEAM_FIELDS } from './repo';
import { createTeamBody, idParams, teamListResponse, teamResponse, updateTeamBody } from './schema';

/** Teams: groups of agents that routing and conditions (`${user.teamIds}`) refer to. */
export function registerTeamRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/teams', tag: 'teams', summary: 'List teams', access: access.can('read', 'Team'),
    responses: { 200: { description: 'Teams', schema: teamListResponse } },
    handler: async (ctx) => {
      const { ability } = authOf(ctx);
      const teams = await listTeams(s.db, (q) => whereAccessible(q, ability, 'read', 'Team', TEAM_FIELDS));
      ctx.body = { items: teams.map((team) => presentTeam(team, ability)) };
    },
  });
  t.add({
    method: 'post', path: '/teams', tag: 'teams', summary: 'Create a team', access: access.can('create', 'Team'),
    body: createTeamBody, responses: { 201: { description: 'Created', schema: teamResponse } },
    handler: async (ctx, { body }) => {
      const team = await createTeam(s, actorOf(ctx), body);
      ctx.status = 201;
      ctx.body = { team: presentTeam(team, authOf(ctx).ability) };
    },
  });
  t.add({
    method: 'patch', path: '/teams/:id', tag: 'teams', summary: 'Rename or describe a team', access: access.can('update', 'Team'),
    params: idParams, body: updateTeamBody, responses: { 200: { description: 'Updated', schema: teamResponse } },
    handler: async (ctx, { params, body }) => {
      const { ability } = authOf(ctx);
      assertCanRow(ability, 'update', 'Team', await findTeam(s.db, params.id));
      ctx.body = { team: presentTeam(await editTeam(s, actorOf(ctx), params.id, body), ability) };
    },
  });
  t.add({
    method: 'delete', path: '/teams/:id', tag: 'teams', summary: 'Delete a team (members stay, without it)',
    access: access.can('delete', 'Team'), params: idParams, responses: { 204: { description: 'Deleted' } },
    handler: async (ctx, { params }) => {
      assertCanRow(authOf(ctx).ability, 'delete', 'Team', await findTeam(s.db, params.id));
      await removeTeam(s, actorOf(ctx), params.id);
      ctx.status = 204;
    },
  });
}
