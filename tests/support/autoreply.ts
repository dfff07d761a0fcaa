import type { TestApp } from './app';
import { eventually } from './eventually';

/**
 * A customer writes to the number through the sandbox (which signs and posts the webhook on its
 * own); resolves once the app's auto-replies have examined the message.
 */
export async function customerWrites(app: TestApp, phoneNumberId: string, waId: string, text: string): Promise<void> {
  const replies = app.runtime.services.autoReplies;
  const before = replies.examined;
  await app.runtime.sandbox!.sandbox.customerSends({ phoneNumberId, from: waId, profileName: 'Camille', message: { type: 'text', body: text } });
  await eventually('the auto-replies to run', async () => replies.examined > before || undefined);
}
