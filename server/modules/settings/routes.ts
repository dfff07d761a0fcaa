import { actorOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { changeSettings } from './commands';
import { presentSettings } from './present';
import { readSettings } from './repo';
import { settingsPatch, settingsSchema } from './schema';

export function registerSettingsRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/settings', tag: 'settings', summary: 'Appliance settings', access: access.can('read', 'Setting'),
    responses: { 200: { description: 'Settings', schema: settingsSchema } },
    handler: async (ctx) => {
      ctx.body = presentSettings(await readSettings(s.db));
    },
  });
  t.add({
    method: 'patch', path: '/settings', tag: 'settings', summary: 'Change appliance settings', access: access.can('update', 'Setting'),
    body: settingsPatch, responses: { 200: { description: 'Settings', schema: settingsSchema } },
    handler: async (ctx, { body }) => {
      await changeSettings(s, actorOf(ctx), body);
      ctx.body = presentSettings(await readSettings(s.db));
    },
  });
}
