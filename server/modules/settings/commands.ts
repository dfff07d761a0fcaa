import type { Actor } from '../../lib/actor';
import type { Services } from '../../services';
import { presentSettings } from './present';
import { readSettings, writeSettings } from './repo';
import type { Settings, SettingsPatch } from './schema';

/** Changes some settings; the audit entry names each change with its value before and after. */
export async function changeSettings(s: Services, actor: Actor, patch: SettingsPatch): Promise<void> {
  await s.db.transaction(async (trx) => {
    const before = presentSettings(await readSettings(trx));
    await writeSettings(trx, patch, actor.id);
    const changes = Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, { from: before[k as keyof Settings], to: v }]));
    await s.audit.appendIn(trx, actor, [{ action: 'settings.updated', subjectType: 'Setting', details: { changes } }]);
  });
}
