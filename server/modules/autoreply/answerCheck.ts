// What a rule's answer refers to (a file, a template, an integration, its numbers), checked when
// the rule is saved: a reference the runner could not send is refused with a 400 naming its field,
// rather than stored and found broken at the first customer's message.
import type { Trx } from '../../db/knex';
import { errors } from '../../lib/errors';
import { findChannel } from '../channels';
import { findIntegration } from '../integrations';
import { findOwnUpload } from '../media';
import { templateVariables } from '../templates/variables';
import { findAnswerTemplate } from './repo';
import type { Answer } from './schema';

// `code` lets the panel word each refusal in the user's language (fieldErrors.code.<code>).
const invalid = (path: string, code: string, message: string, sentence: string) => errors.validation(sentence, { fields: [{ path, message, code }] });

/**
 * Why the runner cannot send this template (it fills the body's variables only), or null.
 * The same reading of the template as the inbox's and the broadcasts' (templates/variables.ts).
 */
export function templateRefusal(components: unknown): string | null {
  const needs = templateVariables(components);
  if (needs.headerFormat !== null && needs.headerFormat !== 'TEXT') {
    return `its ${needs.headerFormat.toLowerCase()} header needs a file an automatic answer cannot give`;
  }
  if (needs.headerVariables > 0) {
    return 'its header has a variable an automatic answer cannot fill';
  }
  if (needs.urlButtons.length > 0) {
    return 'a button address has a variable an automatic answer cannot fill';
  }
  return null;
}

/** Every number named exists (the rule's scope). */
async function checkChannels(trx: Trx, channelIds: readonly string[]) {
  const found = await Promise.all(channelIds.map((id) => findChannel(trx, id)));
  const missing = found.findIndex((c) => c === undefined);
  if (missing >= 0) {
    throw invalid(`body.channelIds.${missing}`, 'unknown_number', 'unknown number', 'The rule names a number that does not exist.');
  }
  return found.map((c) => c!);
}

/**
 * Checks the answer a rule will have and the numbers it will answer on, inside the transaction
 * that writes it. `sender` is who the runner sends a file answer as: its uploader.
 */
export async function checkAnswer(trx: Trx, answer: Answer, channelIds: readonly string[], sender: string | null): Promise<void> {
  const channels = await checkChannels(trx, channelIds);
  switch (answer.kind) {
    case 'text':
    case 'interactive':
      return;
    case 'media': {
      // The inbox's rule: a sender attaches their own stored upload.
      if (sender === null || !(await findOwnUpload(trx, answer.mediaId, sender))) {
        throw errors.unknownMedia('body.answer.mediaId');
      }
      return;
    }
    case 'template': {
      const template = await findAnswerTemplate(trx, answer.templateId);
      if (!template || template.status !== 'APPROVED') {
        throw errors.unknownTemplate('body.answer.templateId', 'template_unapproved');
      }
      const refusal = templateRefusal(template.components);
      if (refusal) {
        throw invalid('body.answer.templateId', 'template_not_automatic', refusal, `This template cannot be an automatic answer: ${refusal}.`);
      }
      const wanted = templateVariables(template.components).bodyVariables;
      if (answer.parameters.length !== wanted) {
        throw invalid('body.answer.parameters', 'parameters_count', `${wanted} value(s) expected`, `The template's text has ${wanted} variable(s): give one value for each.`);
      }
      // A template belongs to one WhatsApp Business Account: only its numbers can send it.
      if (channels.length === 0) {
        throw invalid('body.channelIds', 'numbers_required', 'required for a template answer', "A template answer needs the rule's numbers: pick those of the template's account.");
      }
      const other = channels.findIndex((c) => c.waba_id !== template.waba_id);
      if (other >= 0) {
        throw invalid(`body.channelIds.${other}`, 'other_account', "not a number of the template's account", "This number cannot send the template: it belongs to another WhatsApp Business Account.");
      }
      return;
    }
    case 'lookup': {
      if (!(await findIntegration(trx, answer.integrationId))) {
        throw invalid('body.answer.integrationId', 'unknown_integration', 'unknown integration', 'The integration does not exist.');
      }
      return;
    }
  }
}
