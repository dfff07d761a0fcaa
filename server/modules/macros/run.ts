import { subject as asSubject } from '@casl/ability';
import type { Actor } from '../../lib/actor';
import { AppError, errors, RowDenied } from '../../lib/errors';
import type { Services } from '../../services';
import type { AppAbility } from '../authz/ability';
import { assertCanRow } from '../authz/guard';
import { fillValuesFor, fillVariables, loadCanned } from '../canned';
import { contactSubject, findContact } from '../contacts';
import { updateContact } from '../contacts/commands';
import { findConversation, loadConversation, type ConversationRow } from '../conversations';
import { assignConversation, setConversationStatus } from '../conversations/commands';
import { sendFromAgent } from '../conversations/send';
import type { Lexicon } from '../lexicon/screen';
import type { MacroRow } from './repo';
import type { MacroAction } from './schema';

type Runner = Actor & { id: string };
type Refusal = Parameters<Lexicon['refuse']>;

/**
 * The lexicon as a macro's steps see it: a blocked message is refused without recording yet.
 * Recording a block takes the audit chain's lock in a transaction of its own, while the macro's
 * transaction already holds that lock (its earlier steps' events): it would wait forever. The
 * macro records the block (with the real `refuse`) once its own transaction has rolled back.
 */
function deferringLexicon(lexicon: Lexicon, onRefused: (args: Refusal) => void): Lexicon {
  const deferring = Object.create(lexicon) as Lexicon;
  deferring.refuse = async (...args: Refusal) => {
    onRefused(args);
    return errors.forbidden('Refused by the outbound lexicon.');
  };
  return deferring;
}

/** One step, through the command its inbox button uses, after the check that button's route makes. */
async function runStep(s: Services, actor: Runner, ability: AppAbility, conversationId: string, step: MacroAction): Promise<void> {
  switch (step.type) {
    case 'add_label':
    case 'remove_label': {
      const c = await loadConversation(s, ability, conversationId);
      const contact = await findContact(s.db, c.contact_id);
      // As the contact page's save: Contact:update on this contact.
      assertCanRow(ability, 'update', 'Contact', contact ? contactSubject(contact) : undefined);
      const labels = contact!.label_ids.filter((id) => id !== step.labelId);
      await updateContact(s, actor, c.contact_id, { labelIds: step.type === 'add_label' ? [...labels, step.labelId] : labels });
      return;
    }
    case 'assign_team': {
      const c = await loadConversation(s, ability, conversationId, 'transfer');
      // As the transfer route: a team the runner may not see answers like a missing one.
      if (!ability.can('read', asSubject('Team', { id: step.teamId }))) {
        throw errors.validation('Unknown team.', { fields: [{ path: 'body.teamId', message: 'unknown' }] });
      }
      // The conversation keeps its agent (who must be able to work it in that team).
      await assignConversation(s, actor, conversationId, { assigneeId: c.assignee_id, teamId: step.teamId }, 'conversation.transferred');
      return;
    }
    case 'send_text':
    case 'send_canned': {
      const c = await loadConversation(s, ability, conversationId);
      if (!ability.can('create', 'Message')) {
        throw new RowDenied('Message', 'create', null, true);
      }
      const body = step.type === 'send_text' ? step.text : (await loadCanned(s.db, ability, actor.id, step.cannedId, 'read')).body;
      const text = fillVariables(body, await fillValuesFor(s.db, c.profile_name, actor.id));
      await sendFromAgent(s, actor, ability, conversationId, { type: 'text', text });
      return;
    }
    case 'resolve': {
      await loadConversation(s, ability, conversationId, 'resolve');
      await setConversationStatus(s, actor, conversationId, 'resolved');
      return;
    }
  }
}

/**
 * Runs a macro's steps in order on a conversation, in one transaction: every step's own command
 * runs in a savepoint of it (the services given to the commands carry the transaction as their
 * database), so a step that is refused, for lack of a permission or by its command's checks,
 * undoes the steps before it and the macro did nothing. What cannot be in the transaction: the
 * sender lane is woken, and the message leaves for WhatsApp, only after the commit; a lexicon
 * block is recorded after the rollback. Audited as `macro.run` followed by each step's events;
 * a refusal as `macro.refused` naming the step.
 */
export async function runMacro(s: Services, actor: Runner, ability: AppAbility, conversationId: string, macro: MacroRow): Promise<ConversationRow | undefined> {
  const woken = new Set<string>();
  // Set from the deferring lexicon's callback (a holder, so the compiler sees it may change).
  const lexiconBlock: { args: Refusal | null } = { args: null };
  let stepIndex = -1;
  try {
    const conversation = await s.db.transaction(async (trx) => {
      const inner: Services = {
        ...s,
        db: trx,
        onOutboxQueued: (channelId) => woken.add(channelId),
        lexicon: deferringLexicon(s.lexicon, (args) => {
          lexiconBlock.args = args;
        }),
      };
      await s.audit.appendIn(trx, actor, [
        { action: 'macro.run', subjectType: 'Macro', subjectId: macro.id, details: { conversationId, steps: macro.actions.map((a) => a.type) } },
      ]);
      for (const [index, step] of macro.actions.entries()) {
        stepIndex = index;
        await runStep(inner, actor, ability, conversationId, step);
      }
      // Read as it is now: the runner may no longer see it (moved to a team they are not in).
      return findConversation(trx, conversationId);
    });
    woken.forEach((channelId) => s.onOutboxQueued(channelId));
    return conversation;
  } catch (err) {
    const refusal = lexiconBlock.args;
    if (err instanceof AppError) {
      const step = macro.actions[stepIndex];
      await s.audit.record(actor, {
        action: 'macro.refused', subjectType: 'Macro', subjectId: macro.id,
        details: { conversationId, step: stepIndex, stepType: step?.type ?? null, error: refusal ? 'lexicon_blocked' : err.id },
      });
    }
    throw refusal ? await s.lexicon.refuse(...refusal) : err;
  }
}
