import { randomBytes } from 'node:crypto';
import { systemActor } from '../../lib/actor';
import { SANDBOX_APP_ID } from '../../sandbox';
import type { Services } from '../../services';
import { createChannel } from './commands';
import { decryptChannel, type ChannelCredentials } from './credentials';
import { CHANNEL_DEFAULTS } from './egress';
import { findSandboxChannel, updateChannel } from './repo';

/** Where the runtime mounts the built-in sandbox Cloud API, on the panel's own origin. */
export const SANDBOX_PREFIX = '/sandbox';
export const SIMULATOR_PATH = `${SANDBOX_PREFIX}/simulator`;
/** The catalogue permission of the simulator and the sandbox's control API. */
export const SANDBOX_USE = { action: 'use', subject: 'Sandbox' } as const;

const SANDBOX_NUMBER = { phoneNumberId: '100000000000001', wabaId: '200000000000001', displayNumber: '+1 555 010 0001', appId: SANDBOX_APP_ID };

/** The zero-config number: created once, pointed at this process's sandbox (`graphBaseUrl`) on every boot. */
export async function ensureSandboxChannel(s: Services, graphBaseUrl: string): Promise<ChannelCredentials> {
  let row = await findSandboxChannel(s.db);
  if (!row) {
    const secret = () => randomBytes(24).toString('base64url');
    row = await createChannel(
      s,
      systemActor,
      { name: 'Sandbox', ...SANDBOX_NUMBER, graphBaseUrl, graphVersion: CHANNEL_DEFAULTS.graphVersion, accessToken: secret(), appSecret: secret(), verifyToken: secret() },
      { sandbox: true },
    );
  } else if (row.graph_base_url !== graphBaseUrl || row.app_id === null) {
    // A sandbox number made before channels had an app id gets the sandbox's.
    const patch = { graph_base_url: graphBaseUrl, app_id: row.app_id ?? SANDBOX_APP_ID };
    await updateChannel(s.db, row.id, patch);
    row = { ...row, ...patch };
    s.channels.invalidate();
  }
  return decryptChannel(s.masterKey, row);
}
