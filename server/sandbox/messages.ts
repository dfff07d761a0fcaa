import { numberOrThrow, takeFailure, type Core } from './core';
import { ASYNC_CODES, metaError } from './errors';
import { decodeJsonParams } from './http';
import { newWamid } from './ids';
import type { MessageRecord } from './state';
import { windowOpen, type StatusEmitter } from './statuses';
import { isMarkRead, validateMarkRead, validateSend } from './validateMessage';
import type { Obj } from './validateCommon';

/**
 * Sandbox convention: recipients whose wa_id starts with 999 are not WhatsApp users. Their messages
 * are accepted (as Meta accepts them) and then fail with a `failed` status carrying 131026.
 */
export const UNDELIVERABLE_PREFIX = '999';

/** The parameters of a send or a mark-as-read that are objects or arrays (Graph also takes them JSON-encoded). */
const OBJECT_PARAMS = ['context', 'text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'interactive', 'template', 'reaction', 'typing_indicator'];

/** `POST /{phone-number-id}/messages`: a send or a mark-as-read, after the token was checked. */
/** Thrown once a send is accepted whose answer is to be lost (FailureRule `via: 'lost'`): the route cuts the connection. */
export class AnswerLost extends Error {
  constructor() {
    super('the answer to an accepted send is lost (injected)');
  }
}

export function postMessages(core: Core, statuses: StatusEmitter, phoneNumberId: string, params: Obj): Obj {
  const number = numberOrThrow(core, phoneNumberId);
  const body = decodeJsonParams(params, OBJECT_PARAMS);
  if (isMarkRead(body)) {
    return markRead(core, phoneNumberId, body);
  }
  const send = validateSend(body, {
    phoneNumberId,
    wabaId: number.cfg.wabaId,
    media: core.media,
    templates: core.templates,
    knowsMessage: (waId, wamid) => {
      const found = core.state.byWamid.get(wamid);
      return found !== undefined && found.conv.phoneNumberId === phoneNumberId && found.conv.waId === waId;
    },
  });
  if (send.waId === number.digits) {
    throw metaError(131021);
  }
  let failure: { code: number; details?: string } | undefined;
  const injected = takeFailure(core, phoneNumberId, send.waId);
  const answerLost = injected?.via === 'lost';
  if (injected && !answerLost) {
    // A bare 5xx is answered the way Meta answers its own hiccups: 131000, HTTP 500.
    const code = injected.code === 500 ? 131000 : injected.code;
    const via = injected.via ?? (ASYNC_CODES.has(code) ? 'webhook' : 'response');
    if (via === 'response') {
      throw metaError(code);
    }
    failure = { code };
  }
  // Meta checks the number's throughput (130429), then the pair rate to this user (131056).
  if (!number.bucket.tryTake()) {
    throw metaError(130429, `Cloud API message throughput (${number.throughputMps} messages/s) has been reached.`);
  }
  const conv = core.state.conversation(phoneNumberId, send.waId);
  if (!conv.pair.tryTake()) {
    throw metaError(131056);
  }
  // Outside the 24-hour window only templates may be sent.
  if (!failure && send.type !== 'template' && !windowOpen(conv)) {
    if (core.opts.windowErrorDelivery === 'response') {
      throw metaError(131047);
    }
    failure = { code: 131047 };
  }
  if (!failure && send.waId.startsWith(UNDELIVERABLE_PREFIX)) {
    failure = { code: 131026 };
  }
  const record: MessageRecord = {
    direction: 'out',
    wamid: newWamid(send.waId, 'out'),
    type: send.type,
    body: send.content,
    context: send.context,
    status: 'accepted',
    atMs: Date.now(),
    category: send.template ? send.template.category.toLowerCase() : 'service',
    opaque: send.opaque,
  };
  core.state.addMessage(conv, record);
  const counters = core.state.counters.messages;
  counters.sent += 1;
  counters.byType[send.type] = (counters.byType[send.type] ?? 0) + 1;
  statuses.afterAccept(number, conv, record, failure);
  if (answerLost) {
    throw new AnswerLost();
  }
  return {
    messaging_product: 'whatsapp',
    contacts: [{ input: send.to, wa_id: send.waId }],
    // Template sends report their pacing state; an unpaced template is simply accepted.
    messages: [send.template ? { id: record.wamid, message_status: 'accepted' } : { id: record.wamid }],
  };
}

/** Mark-as-read of a customer's message: `{success: true}`; the simulator shows it read. */
function markRead(core: Core, phoneNumberId: string, body: Obj): Obj {
  const wamid = validateMarkRead(body);
  const found = core.state.byWamid.get(wamid);
  if (!found || found.conv.phoneNumberId !== phoneNumberId || found.record.direction !== 'in') {
    throw metaError(100, `Param message_id does not name a message received by this phone number: ${wamid}.`);
  }
  // Marking one message read marks the earlier ones read too, as in the WhatsApp client.
  for (const record of found.conv.messages) {
    if (record.direction === 'in' && record.atMs <= found.record.atMs) {
      record.status = 'read';
    }
  }
  core.state.counters.messages.markedRead += 1;
  return { success: true };
}
