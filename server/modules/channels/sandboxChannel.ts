import { randomBytes } from 'node:crypto';
import { systemActor } from '../../http/context';
import type { Logger } from '../../lib/logger';
import { createSandbox, SANDBOX_APP_ID } from '../../sandbox';
import type { Services } from '../../services';
import { createChannel } from './commands';
import { clientFor, decryptChannel, type ChannelCredentials } from './credentials';
import { updateChannel } from './repo';
import { SANDBOX_PREFIX, sandboxOperatorGate, SIMULATOR_PATH, warnIfSandboxInProduction } from './sandboxGate';

export { SANDBOX_PREFIX };
const SANDBOX_NUMBER = { phoneNumberId: '100000000000001', wabaId: '200000000000001', displayNumber: '+1 555 010 0001', appId: SANDBOX_APP_ID };

/** The zero-config number: created once, pointed at this process's sandbox on every boot. */
async function ensureSandboxChannel(s: Services, appUrl: string): Promise<ChannelCredentials> {
  const graphBaseUrl = s.egress.sandboxGraphBaseUrl() ?? `${appUrl}${SANDBOX_PREFIX}/graph`;
  let row = await s.db('channels').where({ is_sandbox: true }).orderBy('created_at').first();
  if (!row) {
    const secret = () => randomBytes(24).toString('base64url');
    row = await createChannel(
      s,
      systemActor,
      { name: 'Sandbox', ...SANDBOX_NUMBER, graphBaseUrl, graphVersion: 'v23.0', accessToken: secret(), appSecret: secret(), verifyToken: secret() },
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

/**
 * Runs the built-in sandbox Cloud API (zero-config mode) for the sandbox number, mounted under
 * /sandbox with its simulator and control API behind the panel's sign-in (Sandbox:use), and submits
 * a starter template so template sending can be tried at once.
 */
export async function startSandbox(s: Services, appUrl: string, log: Logger) {
  warnIfSandboxInProduction(s.config, log);
  s.egress.allowSandbox(`${appUrl}${SANDBOX_PREFIX}`);
  s.channels.invalidate();
  const creds = await ensureSandboxChannel(s, appUrl);
  const sandbox = createSandbox({
    numbers: [{ phoneNumberId: creds.phoneNumberId, wabaId: creds.wabaId, displayNumber: creds.displayNumber, verifiedName: 'Switchboard Sandbox', accessToken: creds.accessToken, appSecret: creds.appSecret, appId: creds.appId ?? SANDBOX_APP_ID }],
    webhookUrl: `${appUrl}/webhooks/whatsapp`,
    templateReviewMs: s.config.sandboxTemplateReviewMs,
    log: log.child({ component: 'sandbox' }),
  });
  const { middleware, routes } = sandbox.mount(SANDBOX_PREFIX, sandboxOperatorGate(s));
  const client = clientFor(creds, 5000);
  // After the server answers (the sandbox is mounted by the caller), submit the starter template.
  setTimeout(() => {
    client
      .createTemplate({
        name: 'welcome_back',
        language: 'en_US',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: 'Hello {{1}}, thanks for contacting us. How can we help?', example: { body_text: [['Alex']] } }],
      })
      .catch((err: Error) => log.debug({ err: err.message }, 'sandbox starter template not created'));
  }, 50).unref();
  log.info({ simulator: `${appUrl}${SIMULATOR_PATH}`, phoneNumberId: creds.phoneNumberId }, 'sandbox Cloud API running');
  return { sandbox, middleware, routes, close: () => sandbox.close() };
}

/** Tells WhatsApp a message was read; best effort, after the local state is committed. */
export async function sendReadReceipt(s: Services, channelId: string, wamid: string): Promise<void> {
  const creds = await s.channels.get(channelId);
  if (!creds || creds.status !== 'active') {
    return;
  }
  const client = clientFor(creds, 10_000);
  await client.markRead(wamid).catch((err: Error) => s.log.warn({ err: err.message, channelId }, 'read receipt failed'));
}
