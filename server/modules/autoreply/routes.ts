import { actorOf, authOf, type AppContext } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import { errors } from '../../lib/errors';
import type { Services } from '../../services';
import { assertCanRow } from '../authz/guard';
import { scopedTo } from './cache';
import { changeRule, createRule, removeRule, saveSettings } from './commands';
import { normaliseForMatch } from './match';
import { defaultSettings, presentRule, presentSettings } from './present';
import { answerNames, findRule, findSettings, listRules, resolutionShare, type RuleRow } from './repo';
import {
  channelParams, createRuleBody, idParams, ruleListResponse, ruleResponse, settingsBody, settingsResponse, statsQuery, statsResponse, testBody, testResponse, updateRuleBody,
} from './schema';

const DAY_MS = 24 * 60 * 60 * 1000;
const signedIn = (ctx: AppContext) => ({ ...actorOf(ctx), id: authOf(ctx).user.id });
const ruleSubject = (r: RuleRow | undefined) => (r ? { id: r.id, mode: r.mode, channelIds: r.channel_ids } : undefined);

/** Auto-reply rules (with the "try a message" tester), business hours per number, and the bot's share of resolutions. */
export function registerAutoReplyRoutes(t: RouteTable, s: Services): void {
  const knownChannel = async (channelId: string) => {
    if (!(await s.channels.get(channelId))) {
      throw errors.notFound('Channel');
    }
  };
  const presentOne = async (r: RuleRow) => presentRule(r, await answerNames(s.db, [r.answer]));
  t.add({
    method: 'get', path: '/autoreply/rules', tag: 'autoreply', summary: 'List auto-reply rules, highest priority first', access: access.can('read', 'AutoReplyRule'),
    responses: { 200: { description: 'The rules', schema: ruleListResponse } },
    handler: async (ctx) => {
      const rules = await listRules(s.db);
      const names = await answerNames(s.db, rules.map((r) => r.answer));
      ctx.body = { items: rules.map((r) => presentRule(r, names)) };
    },
  });
  t.add({
    method: 'post', path: '/autoreply/rules', tag: 'autoreply', summary: 'Add an auto-reply rule (regular expressions are checked for safety)', access: access.can('create', 'AutoReplyRule'),
    body: createRuleBody, responses: { 201: { description: 'Added', schema: ruleResponse }, 400: { description: 'Invalid (validation_failed), an unsafe regular expression (unsafe_regex), a file not yours (unknown_media), an unapproved template (unknown_template)' } },
    handler: async (ctx, { body }) => {
      ctx.status = 201;
      ctx.body = { rule: await presentOne(await createRule(s, signedIn(ctx), body)) };
    },
  });
  t.add({
    method: 'patch', path: '/autoreply/rules/:id', tag: 'autoreply', summary: 'Change an auto-reply rule', access: access.can('update', 'AutoReplyRule'),
    params: idParams, body: updateRuleBody, responses: { 200: { description: 'Changed', schema: ruleResponse }, 400: { description: 'As when adding: the answer and numbers the rule ends with are checked' } },
    handler: async (ctx, { params, body }) => {
      const rule = await findRule(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'update', 'AutoReplyRule', ruleSubject(rule));
      ctx.body = { rule: await presentOne(await changeRule(s, signedIn(ctx), rule!, body)) };
    },
  });
  t.add({
    method: 'delete', path: '/autoreply/rules/:id', tag: 'autoreply', summary: 'Delete an auto-reply rule', access: access.can('delete', 'AutoReplyRule'),
    params: idParams, responses: { 204: { description: 'Deleted' } },
    handler: async (ctx, { params }) => {
      const rule = await findRule(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'delete', 'AutoReplyRule', ruleSubject(rule));
      await removeRule(s, actorOf(ctx), rule!);
      ctx.status = 204;
    },
  });
  t.add({
    method: 'post', path: '/autoreply/test', tag: 'autoreply', summary: 'Try a message: which rule would answer it (nothing is sent or stored)', access: access.can('read', 'AutoReplyRule'),
    body: testBody, responses: { 200: { description: 'The rule that fires, and every rule that matches', schema: testResponse } },
    handler: async (ctx, { body }) => {
      const matches = scopedTo((await s.autoReplies.rules.current()).match(body.text), body.channelId ?? null);
      ctx.body = {
        normalized: normaliseForMatch(body.text),
        fires: matches[0] ? await presentOne(matches[0]) : null,
        matches: matches.map((r) => ({ id: r.id, name: r.name, priority: r.priority })),
      };
    },
  });
  t.add({
    method: 'get', path: '/autoreply/stats', tag: 'autoreply', summary: 'Share of conversations resolved without a human over the last days', access: access.can('read', 'AutoReplyRule'),
    query: statsQuery, responses: { 200: { description: 'Resolved conversations, and those only the bot answered', schema: statsResponse } },
    handler: async (ctx, { query }) => {
      const to = s.clock();
      const { resolved, byBot } = await resolutionShare(s.db, new Date(to.getTime() - query.days * DAY_MS), to);
      ctx.body = { days: query.days, resolved, resolvedByBot: byBot, share: resolved === 0 ? null : byBot / resolved };
    },
  });
  t.add({
    method: 'get', path: '/autoreply/hours/:channelId', tag: 'autoreply', summary: "A number's business hours, out-of-office and welcome messages", access: access.can('read', 'BusinessHours'),
    params: channelParams, responses: { 200: { description: 'The settings (defaults when never saved), and whether it is open now', schema: settingsResponse } },
    handler: async (ctx, { params }) => {
      await knownChannel(params.channelId);
      const row = (await findSettings(s.db, params.channelId)) ?? defaultSettings(params.channelId);
      ctx.body = { settings: presentSettings(row, s.clock()) };
    },
  });
  t.add({
    method: 'put', path: '/autoreply/hours/:channelId', tag: 'autoreply', summary: "Set a number's business hours, out-of-office and welcome messages", access: access.can('update', 'BusinessHours'),
    params: channelParams, body: settingsBody, responses: { 200: { description: 'Saved', schema: settingsResponse } },
    handler: async (ctx, { params, body }) => {
      await knownChannel(params.channelId);
      ctx.body = { settings: presentSettings(await saveSettings(s, actorOf(ctx), params.channelId, body), s.clock()) };
    },
  });
}
