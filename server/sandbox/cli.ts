/**
 * `npm run sandbox`: the Cloud API emulator on its own port.
 *   SANDBOX_PORT (8090), SANDBOX_HOST (127.0.0.1), SANDBOX_WEBHOOK_URL (the app's /webhooks/whatsapp),
 *   SANDBOX_NUMBERS: a JSON array of numbers, or one number from SANDBOX_PHONE_NUMBER_ID,
 *   SANDBOX_WABA_ID, SANDBOX_DISPLAY_NUMBER, SANDBOX_VERIFIED_NAME, SANDBOX_ACCESS_TOKEN,
 *   SANDBOX_APP_SECRET; SANDBOX_AUTO_READ=false keeps messages unread until the simulator reads them.
 * Prints the numbers and their credentials, which the app's channel settings need. The Graph API
 * answers token holders from anywhere it is reachable; the simulator and the control API answer
 * this machine only (there is no sign-in here to guard them).
 */
import { createLogger } from '../lib/logger';
import { createSandbox, type SandboxNumber } from './index';

function numbersFromEnv(env: NodeJS.ProcessEnv): SandboxNumber[] {
  if (env.SANDBOX_NUMBERS) {
    const parsed = JSON.parse(env.SANDBOX_NUMBERS) as SandboxNumber[];
    if (!Array.isArray(parsed) || parsed.length === 0) {
      throw new Error('SANDBOX_NUMBERS must be a non-empty JSON array of numbers');
    }
    for (const n of parsed) {
      for (const key of ['phoneNumberId', 'wabaId', 'displayNumber', 'verifiedName', 'accessToken', 'appSecret'] as const) {
        if (typeof n[key] !== 'string' || n[key] === '') {
          throw new Error(`SANDBOX_NUMBERS: every number needs ${key}`);
        }
      }
    }
    return parsed;
  }
  return [
    {
      phoneNumberId: env.SANDBOX_PHONE_NUMBER_ID ?? '100000000000001',
      wabaId: env.SANDBOX_WABA_ID ?? '200000000000001',
      displayNumber: env.SANDBOX_DISPLAY_NUMBER ?? '+1 555-010-0001',
      verifiedName: env.SANDBOX_VERIFIED_NAME ?? 'Switchboard Sandbox',
      accessToken: env.SANDBOX_ACCESS_TOKEN ?? 'sandbox-access-token',
      appSecret: env.SANDBOX_APP_SECRET ?? 'sandbox-app-secret',
    },
  ];
}

async function main(): Promise<void> {
  const env = process.env;
  const log = createLogger(env.SANDBOX_LOG_LEVEL ?? 'info');
  const numbers = numbersFromEnv(env);
  const port = Number(env.SANDBOX_PORT ?? 8090);
  const webhookUrl = env.SANDBOX_WEBHOOK_URL ?? 'http://127.0.0.1:8080/webhooks/whatsapp';
  const sandbox = createSandbox({ numbers, webhookUrl, autoRead: env.SANDBOX_AUTO_READ !== 'false', log });
  const server = await sandbox.listen(port, env.SANDBOX_HOST ?? '127.0.0.1');
  const lines = [
    `WhatsApp Cloud API sandbox listening on ${server.url}`,
    `  Graph API base URL: ${server.url}/graph (e.g. POST ${server.url}/graph/v23.0/{phone-number-id}/messages)`,
    `  Customer simulator: ${server.url}/simulator (from this machine only)`,
    `  Stats:              ${server.url}/stats (from this machine only)`,
    `  Webhooks go to:     ${webhookUrl}`,
    '  Numbers:',
    ...numbers.map(
      (n) =>
        `    ${n.displayNumber} (${n.verifiedName}) phone_number_id=${n.phoneNumberId} waba_id=${n.wabaId} access_token=${n.accessToken} app_secret=${n.appSecret}`,
    ),
    '  Recipients whose wa_id starts with 999 are undeliverable (131026); templates named *reject* are rejected.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
