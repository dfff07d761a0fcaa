import type { Trx } from '../../db/knex';
import { systemActor, type Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { interactiveButtons, mediaMessage, reactionMessage, templateMessage, textMessage, type TemplateComponent } from '../../whatsapp/messages';
import { findUsableMedia, type MediaRow } from '../media';
import { enqueueOutbox, OUTBOX_PRIORITY } from '../outbox';
import { WINDOW_MS } from './present';
import { findConversation, findMessage, insertOutgoingMessage, updateConversation, type ConversationRow } from './repo';
import { findTemplate } from './templateRepo';
import { templateVariables, type TemplateVariables } from '../templates/variables';
import { publishNotice } from '../inbox';
import type { AppAbility } from '../authz/ability';
import { asCasl } from './access';
import { changeStatusIn } from './commands';
import type { Screened } from '../lexicon';
import type { AuditEntry } from '../audit/auditLog';

export type SendInput =
  | { type: 'text'; text: string; replyToMessageId?: string }
  | { type: 'media'; mediaId: string; caption?: string; replyToMessageId?: string }
  | { type: 'template'; templateId: string; parameters: string[]; headerParameter?: string; headerMediaId?: string; buttonParameters?: Array<{ index: number; text: string }> }
  | { type: 'reaction'; messageId: string; emoji: string }
  /** Reply buttons (up to 3) under a text: sent by auto-replies. */
  | { type: 'interactive'; body: string; buttons: Array<{ id: string; title: string }> };

/** Marks where the sender must put the Meta media id it gets by uploading our stored media. */
export const MEDIA_PLACEHOLDER = '@media:';

const mediaKindOf = (mime: string): 'image' | 'video' | 'audio' | 'document' | 'sticker' =>
  mime === 'image/webp' ? 'sticker' : mime.startsWith('image/') ? 'image' : mime.startsWith('video/') ? 'video' : mime.startsWith('audio/') ? 'audio' : 'document';

type Composed = { payload: Record<string, unknown>; type: string; text: string | null; content: Record<string, unknown>; mediaId: string | null; contextWamid: string | null; preview: string };

/** Who sends, and from which WABA: what a media id or template must belong to. */
type Sender = { userId: string | null; wabaId: string };


async function compose(trx: Trx, c: ConversationRow, input: SendInput, sender: Sender): Promise<Composed> {
  const to = c.wa_id;
  const replyWamid = async (messageId: string | undefined) => {
    if (!messageId) {
      return null;
    }
    const m = await findMessage(trx, messageId);
    if (!m || m.conversation_id !== c.id || !m.wamid) {
      throw errors.validation('The message to reply to is not in this conversation.', { fields: [{ path: 'body.replyToMessageId', message: 'unknown' }] });
    }
    return m.wamid;
  };
  switch (input.type) {
    case 'text': {
      const context = await replyWamid(input.replyToMessageId);
      const payload = textMessage(to, input.text, { previewUrl: /https?:\/\//.test(input.text), replyTo: context ?? undefined });
      return { payload, type: 'text', text: input.text, content: { body: input.text }, mediaId: null, contextWamid: context, preview: input.text.slice(0, 120) };
    }
    case 'media': {
      const media = await findUsableMedia(trx, input.mediaId, c.id, sender.userId);
      if (!media) {
        throw errors.unknownMedia('body.mediaId');
      }
      const context = await replyWamid(input.replyToMessageId);
      const kind = mediaKindOf(media.mime_type);
      const payload = mediaMessage(to, kind, {
        id: `${MEDIA_PLACEHOLDER}${media.id}`,
        caption: kind === 'audio' || kind === 'sticker' ? undefined : input.caption,
        filename: kind === 'document' ? media.filename ?? undefined : undefined,
        replyTo: context ?? undefined,
      });
      return { payload, type: kind, text: input.caption ?? null, content: { caption: input.caption ?? null, mimeType: media.mime_type }, mediaId: media.id, contextWamid: context, preview: input.caption || `[${kind}]` };
    }
    case 'template': {
      const template = await findTemplate(trx, input.templateId);
      // A template of another WABA answers like a missing one: the number cannot send it.
      if (!template || template.waba_id !== sender.wabaId || template.status !== 'APPROVED') {
        throw errors.unknownTemplate();
      }
      const needs = templateVariables(template.components);
      const headerMedia = await templateHeaderMedia(needs, input, (id) => findUsableMedia(trx, id, c.id, sender.userId));
      const components = templateComponents(needs, input, headerMedia);
      const payload = templateMessage(to, template.name, template.language, components);
      const body = bodyTextOf(template.components, input.parameters);
      const content = { name: template.name, language: template.language, parameters: input.parameters, headerParameter: input.headerParameter ?? null, buttonParameters: input.buttonParameters ?? [] };
      return { payload, type: 'template', text: body, content, mediaId: headerMedia?.id ?? null, contextWamid: null, preview: body ?? `[${template.name}]` };
    }
    case 'reaction': {
      const target = await replyWamid(input.messageId);
      const payload = reactionMessage(to, target!, input.emoji);
      return { payload, type: 'reaction', text: null, content: { emoji: input.emoji, message_id: target }, mediaId: null, contextWamid: target, preview: input.emoji || '[reaction removed]' };
    }
    case 'interactive': {
      const payload = interactiveButtons(to, input.body, input.buttons);
      return { payload, type: 'interactive', text: input.body, content: { body: input.body, buttons: input.buttons }, mediaId: null, contextWamid: null, preview: input.body.slice(0, 120) };
    }
  }
}

/**
 * The send's components for a template, checked against what it needs: as many body values as
 * variables, a header value when its text has one, a value for each URL button ending in a
 * variable. WhatsApp refuses anything else (132000), so it is refused here, naming the field.
 */
type TemplateInput = Extract<SendInput, { type: 'template' }>;
/** The stored file a template's image, video or document header carries. */
export type HeaderMedia = { id: string; kind: 'image' | 'video' | 'document'; filename: string | null };

const refuseTemplate = (path: string, message: string) => errors.validation(`This template cannot be sent that way: ${message}.`, { fields: [{ path, message }] });

// What each media header format takes, as WhatsApp accepts it (the spec's media types).
const HEADER_MEDIA: Record<string, { kind: HeaderMedia['kind']; accepts: (mime: string) => boolean }> = {
  IMAGE: { kind: 'image', accepts: (mime) => mime === 'image/jpeg' || mime === 'image/png' },
  VIDEO: { kind: 'video', accepts: (mime) => mime === 'video/mp4' || mime === 'video/3gpp' },
  DOCUMENT: { kind: 'document', accepts: () => true },
};

/** The uploaded file for an image, video or document header, checked against the format. */
export async function templateHeaderMedia(
  needs: TemplateVariables,
  input: { headerMediaId?: string | undefined },
  usableMedia: (id: string) => Promise<MediaRow | undefined>,
): Promise<HeaderMedia | null> {
  const format = needs.headerFormat && HEADER_MEDIA[needs.headerFormat];
  if (!format) {
    if (input.headerMediaId !== undefined) {
      throw refuseTemplate('body.headerMediaId', 'its header takes no file');
    }
    if (needs.headerFormat !== null && needs.headerFormat !== 'TEXT') {
      throw refuseTemplate('body.templateId', `its ${needs.headerFormat.toLowerCase()} header cannot be sent from Switchboard`);
    }
    return null;
  }
  if (input.headerMediaId === undefined) {
    throw refuseTemplate('body.headerMediaId', `its header needs ${format.kind === 'image' ? 'an image' : `a ${format.kind}`}`);
  }
  const media = await usableMedia(input.headerMediaId);
  if (!media) {
    throw errors.unknownMedia('body.headerMediaId');
  }
  if (!format.accepts(media.mime_type)) {
    throw refuseTemplate('body.headerMediaId', `a ${media.mime_type} file cannot be its ${format.kind} header`);
  }
  return { id: media.id, kind: format.kind, filename: media.filename };
}

/** A template's media header as sent: the sender uploads the stored file to WhatsApp and puts its media id in place. */
export function headerMediaComponent(headerMedia: HeaderMedia): TemplateComponent {
  const ref = { id: `${MEDIA_PLACEHOLDER}${headerMedia.id}`, ...(headerMedia.kind === 'document' && headerMedia.filename ? { filename: headerMedia.filename } : {}) };
  const parameter = headerMedia.kind === 'image' ? { type: 'image' as const, image: ref } : headerMedia.kind === 'video' ? { type: 'video' as const, video: ref } : { type: 'document' as const, document: ref };
  return { type: 'header', parameters: [parameter] };
}

function templateComponents(needs: TemplateVariables, input: TemplateInput, headerMedia: HeaderMedia | null): TemplateComponent[] {
  const refuse = refuseTemplate;
  if (input.parameters.length !== needs.bodyVariables) {
    throw refuse('body.parameters', `expected ${needs.bodyVariables} value(s), got ${input.parameters.length}`);
  }
  if (needs.headerVariables === 0 && input.headerParameter !== undefined) {
    throw refuse('body.headerParameter', 'the header has no variable');
  }
  if (needs.headerVariables === 1 && input.headerParameter === undefined) {
    throw refuse('body.headerParameter', 'the header needs a value');
  }
  const given = new Map((input.buttonParameters ?? []).map((b) => [b.index, b.text]));
  for (const index of given.keys()) {
    if (!needs.urlButtons.some((b) => b.index === index)) {
      throw refuse('body.buttonParameters', `button ${index} takes no value`);
    }
  }
  const missing = needs.urlButtons.find((b) => !given.has(b.index));
  if (missing) {
    throw refuse('body.buttonParameters', `button ${missing.index} (${missing.text ?? 'link'}) needs a value`);
  }
  const text = (value: string) => ({ type: 'text' as const, text: value });
  const components: TemplateComponent[] = [];
  if (headerMedia) {
    components.push(headerMediaComponent(headerMedia));
  }
  if (input.headerParameter !== undefined) {
    components.push({ type: 'header', parameters: [text(input.headerParameter)] });
  }
  if (input.parameters.length > 0) {
    components.push({ type: 'body', parameters: input.parameters.map(text) });
  }
  for (const b of needs.urlButtons) {
    components.push({ type: 'button', sub_type: 'url', index: String(b.index), parameters: [text(given.get(b.index)!)] });
  }
  return components;
}

/** The template's body with {{n}} filled from the parameters, for the history and search. */
export function bodyTextOf(components: unknown, parameters: string[]): string | null {
  const list = Array.isArray(components) ? (components as Array<{ type?: string; text?: string }>) : [];
  const body = list.find((c) => (c.type ?? '').toUpperCase() === 'BODY')?.text;
  return body ? body.replace(/\{\{(\d+)\}\}/g, (_, n: string) => parameters[Number(n) - 1] ?? `{{${n}}}`) : null;
}

/** What the lexicon reads of a message: its text or caption, and every value put into a template. */
function lexiconTextsOf(input: SendInput, composed: Composed): Array<string | null | undefined> {
  if (input.type === 'interactive') {
    return [composed.text, ...input.buttons.map((b) => b.title)];
  }
  if (input.type !== 'template') {
    return [composed.text];
  }
  return [composed.text, ...input.parameters, input.headerParameter, ...(input.buttonParameters ?? []).map((b) => b.text)];
}

/**
 * Whether the sender must claim the conversation before replying: it waits in the queue and the
 * sender takes work from the queue (may claim it) rather than hand it out (may not assign it).
 * A reply never changes the assignee by itself, so two agents never answer one customer unawares.
 */
function mustClaimFirst(ability: AppAbility, c: ConversationRow): boolean {
  return c.assignee_id === null && ability.can('claim', asCasl(c)) && !ability.can('assign', asCasl(c));
}

/** Who a message is from: an agent (audited as them), or the appliance answering automatically. */
type Author =
  | { type: 'agent'; actor: Actor & { id: string } }
  /** `audit`: where the caller collects the audit entries, to append a batch's at once. */
  | { type: 'bot'; actor: Actor; source: AutomatedSource; audit: AuditEntry[] };

/** Why the appliance sends a message on its own (kept in the audit event, ids only). */
export type AutomatedSource = {
  kind: 'welcome' | 'out_of_office' | 'rule' | 'lookup';
  ruleId: string | null;
  /** Whose uploaded files the message may carry (the rule's author), if anyone's. */
  mediaOwnerId: string | null;
};

type Outcome = { blocked: Screened } | { id: string; createdAt: Date; channelId: string };

/**
 * The transactional core of every send, on a conversation locked by the caller: checks (contact,
 * channel state, 24-hour window or template, lexicon), then the message row, its outbox row, the
 * conversation (a resolved one reopens) and the audit events. A lexicon block stores nothing.
 */
async function queueIn(trx: Trx, s: Services, c: ConversationRow, input: SendInput, author: Author): Promise<Outcome> {
  if (c.restricted_at) {
    throw errors.contactRestricted();
  }
  const channel = await s.channels.get(c.channel_id);
  if (!channel || channel.status !== 'active') {
    throw errors.channelUnavailable(channel?.status === 'token_invalid' ? 'token_invalid' : 'inactive');
  }
  const windowOpen = c.last_inbound_at !== null && Date.now() - c.last_inbound_at.getTime() < WINDOW_MS;
  if (!windowOpen && input.type !== 'template') {
    throw errors.windowClosed();
  }
  const mediaOwner = author.type === 'agent' ? author.actor.id : author.source.mediaOwnerId;
  const composed = await compose(trx, c, input, { userId: mediaOwner, wabaId: channel.wabaId });
  // The compliance lexicon, before anything reaches the outbox: a block stores nothing.
  const screened = await s.lexicon.screen(trx, lexiconTextsOf(input, composed));
  if (screened.verdict === 'block') {
    return { blocked: screened };
  }
  const id = newId();
  const createdAt = new Date();
  const authorId = author.type === 'agent' ? author.actor.id : null;
  await insertOutgoingMessage(trx, {
    id, created_at: createdAt, conversation_id: c.id, channel_id: c.channel_id, contact_id: c.contact_id, direction: 'out',
    type: composed.type, text: composed.text, content: JSON.stringify(composed.content), media_id: composed.mediaId,
    context_wamid: composed.contextWamid, author_type: author.type, author_id: authorId, status: 'queued',
    status_times: JSON.stringify({ queued: createdAt.toISOString() }),
  });
  // A reply (priority 0), an agent's or an automatic one; outside the customer's window it counts towards the tier.
  const windowClosesAt = c.last_inbound_at ? new Date(c.last_inbound_at.getTime() + WINDOW_MS) : null;
  await enqueueOutbox(trx, {
    id: newId(), message_id: id, message_created_at: createdAt, channel_id: c.channel_id, to_wa_id: c.wa_id, payload: JSON.stringify(composed.payload),
    priority: OUTBOX_PRIORITY.reply, window_closes_at: windowClosesAt,
  });
  const patch: Record<string, unknown> = { last_message_at: createdAt, last_message_preview: composed.preview, last_message_direction: 'out', last_message_author_id: authorId };
  // An automatic answer is not the team's first response: that time measures people.
  if (!c.first_response_at && author.type === 'agent') {
    patch.first_response_at = createdAt;
  }
  await updateConversation(trx, c.id, patch);
  if (c.status === 'resolved' && author.type === 'agent') {
    // Writing to the customer again reopens the conversation (a pending one stays pending:
    // it is still waiting on the customer). The customer's own message already reopened it for a bot.
    await changeStatusIn(trx, s, author.actor, c.id, 'open');
  }
  await publishNotice(trx, { type: 'message.created', conversationId: c.id, messageId: id, createdAt });
  const sent = { action: 'message.sent', subjectType: 'Conversation', subjectId: c.id, details: { messageId: id, type: composed.type } };
  if (author.type === 'bot') {
    author.audit.push({ ...sent, details: { ...sent.details, source: author.source.kind, ruleId: author.source.ruleId } });
  } else {
    await s.audit.appendIn(trx, author.actor, [sent]);
  }
  await s.lexicon.recordFlags(trx, author.actor, screened, { id, createdAt, conversationId: c.id });
  return { id, createdAt, channelId: c.channel_id };
}

const blockedField = (input: SendInput) => (input.type === 'template' ? 'body.parameters' : input.type === 'media' ? 'body.caption' : 'body.text');

/**
 * The outbound path for an agent: the queue rule (claim first), then the common checks and
 * writes in one transaction. The sender lane picks it up after commit.
 */
export async function sendFromAgent(s: Services, actor: Actor & { id: string }, ability: AppAbility, conversationId: string, input: SendInput) {
  const result = await s.db.transaction(async (trx): Promise<Outcome> => {
    // Locked, so a claim or a status change cannot slip between the checks and the update.
    const c = await findConversation(trx, conversationId, { forUpdate: true });
    if (!c) {
      throw errors.notFound('Conversation');
    }
    if (mustClaimFirst(ability, c)) {
      throw errors.claimRequired(c.id);
    }
    return queueIn(trx, s, c, input, { type: 'agent', actor });
  });
  if ('blocked' in result) {
    throw await s.lexicon.refuse(actor, conversationId, result.blocked, blockedField(input));
  }
  s.onOutboxQueued(result.channelId);
  return (await findMessage(s.db, result.id, result.createdAt))!;
}

/** What an automatic answer came to: queued (with its message), or blocked by the lexicon (nothing stored). */
export type AutomatedOutcome = Outcome;

/**
 * The outbound path for the appliance (auto-replies), in the caller's transaction: the same
 * checks, lexicon and outbox as an agent's reply, authored 'bot' by the system actor, with no
 * claim rule. Its `message.sent` audit entry goes into `audit`, which the caller appends (as the
 * system) before it commits: the audit chain serialises its writers from their first append to
 * their commit, so a batch appends last, once. Then `settleAutomated` for each answer.
 */
export async function queueAutomatedIn(trx: Trx, s: Services, conversationId: string, input: SendInput, source: AutomatedSource, audit: AuditEntry[]): Promise<AutomatedOutcome> {
  // Locked, so two answers to one conversation (or an agent's reply) queue one after the other.
  const c = await findConversation(trx, conversationId, { forUpdate: true });
  if (!c) {
    throw errors.notFound('Conversation');
  }
  return queueIn(trx, s, c, input, { type: 'bot', actor: systemActor, source, audit });
}

/** After commit: records a blocked answer (hits, `lexicon.blocked`, as the system) or wakes the number's lane. */
export async function settleAutomated(s: Services, conversationId: string, input: SendInput, outcome: AutomatedOutcome): Promise<void> {
  if ('blocked' in outcome) {
    await s.lexicon.refuse(systemActor, conversationId, outcome.blocked, blockedField(input));
    return;
  }
  s.onOutboxQueued(outcome.channelId);
}
