import { z } from 'zod';
import { actorOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { readSettings, writeSettings } from './repo';

/** Appliance-wide settings an admin edits in the panel. Every key has a default. */
export const settingsSchema = z.strictObject({
  organisationName: z.string().trim().min(1).max(120),
  defaultLocale: z.enum(['en', 'fr']),
  supportEmail: z.email().nullable(),
});
export type Settings = z.infer<typeof settingsSchema>;
export const DEFAULT_SETTINGS: Settings = { organisationName: 'Switchboard', defaultLocale: 'en', supportEmail: null };

const patchSchema = settingsSchema.partial().refine((b) => Object.keys(b).length > 0, 'Send at least one setting to change.');

export function registerSettingsRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/settings', tag: 'settings', summary: 'Appliance settings', access: access.can('read', 'Setting'),
    responses: { 200: { description: 'Settings', schema: settingsSchema } },
    handler: async (ctx) => {
      ctx.body = { ...DEFAULT_SETTINGS, ...(await readSettings(s.db)) };
    },
  });
  t.add({
    method: 'patch', path: '/settings', tag: 'settings', summary: 'Change appliance settings', access: access.can('update', 'Setting'),
    body: patchSchema, responses: { 200: { description: 'Settings', schema: settingsSchema } },
    handler: async (ctx, { body }) => {
      const actor = actorOf(ctx);
      await s.db.transaction(async (trx) => {
        const before = { ...DEFAULT_SETTINGS, ...(await readSettings(trx)) };
        await writeSettings(trx, body, actor.id);
        const changes = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, { from: before[k as keyof Settings], to: v }]));
        await s.audit.appendIn(trx, actor, [{ action: 'settings.updated', subjectType: 'Setting', details: { changes } }]);
      });
      ctx.body = { ...DEFAULT_SETTINGS, ...(await readSettings(s.db)) };
    },
  });
}
