import { useEffect, useState } from 'react';
import { useSession } from '../../auth';
import { mediaApi, templatesApi } from '../../endpoints';
import type { Action } from '../../hooks';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { fillTemplate } from '../../inbox';
import { integrationsApi, type Integration } from '../../integrationsApi';
import type { Template } from '../../types';
import { Can } from '../Can';
import { ErrorAlert } from '../ErrorAlert';
import { FormField } from '../FormField';
import { ANSWER_KINDS, templateUnusable, type AnswerDraft } from './answerDraft';

interface AnswerFieldsProps {
  draft: AnswerDraft;
  set: (patch: Partial<AnswerDraft>) => void;
  /** The rule's numbers (checked in the dialog): a template is picked from one of them. */
  numbers: Array<{ id: string; label: string }>;
  /** The words beside a field, from the last refusal (path without `body.`). */
  field: (path: string) => string | null;
  /** The file upload, so the dialog waits for it before saving. */
  uploading: Action;
  /** The name the rule's answer refers to, for an integration the user may not list. */
  currentName: string | null;
}

/** The file answer: uploaded as soon as it is chosen (POST /media), with an optional caption. */
function FileFields({ draft, set, field, uploading }: AnswerFieldsProps) {
  const { t } = useI18n();
  const { ability } = useSession();

  async function choose(file: File | undefined) {
    set({ mediaId: '', fileName: '' });
    if (!file) {
      return;
    }
    const result = await uploading.run(() => mediaApi.upload(file));
    if (result) {
      set({ mediaId: result.media.id, fileName: file.name });
    }
  }

  return (
    <>
      <FormField id="autoreply-file" label={t('autoreply.file')} hint={ability.can('create', 'Message') ? t('autoreply.fileHint') : t('autoreply.fileNotAllowed')} error={field('answer.mediaId')}>
        {(describedBy, invalid) => (
          <Can I="create" a="Message">
            <input
              id="autoreply-file"
              type="file"
              required={draft.mediaId === ''}
              disabled={uploading.busy}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              data-button="autoreply.uploadFile"
              onChange={(event) => void choose(event.target.files?.[0])}
            />
          </Can>
        )}
      </FormField>
      <div aria-live="polite">
        {uploading.busy && <p className="hint">{t('autoreply.fileUploading')}</p>}
        {!uploading.busy && draft.mediaId && (
          <p className="hint" id="autoreply-file-ready">
            {draft.fileName ? t('autoreply.fileReady', { name: draft.fileName }) : t('autoreply.fileKept')}
          </p>
        )}
        <ErrorAlert error={uploading.error} />
      </div>
      <FormField id="autoreply-caption" label={t('autoreply.caption')} error={field('answer.caption')}>
        {(describedBy, invalid) => <input id="autoreply-caption" maxLength={1024} aria-describedby={describedBy} aria-invalid={invalid} value={draft.caption} onChange={(event) => set({ caption: event.target.value })} />}
      </FormField>
    </>
  );
}

/** The template answer: a number of the rule, one of its templates an automatic answer can send, a value per body variable. */
function TemplateFields({ draft, set, numbers, field }: AnswerFieldsProps) {
  const { t } = useI18n();
  const { ability } = useSession();
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const loading = useAction();
  const { run } = loading;
  const mayRead = ability.can('read', 'Template');
  const channelId = numbers.some((n) => n.id === draft.templateChannelId) ? draft.templateChannelId : (numbers[0]?.id ?? '');

  useEffect(() => {
    setTemplates(null);
    if (channelId && mayRead) {
      void run(async () => setTemplates((await templatesApi.list(channelId)).items));
    }
  }, [channelId, mayRead, run]);

  const chosen = templates?.find((x) => x.id === draft.templateId) ?? null;
  const count = chosen?.parameterCount ?? draft.parameters.length;
  const parameters = Array.from({ length: count }, (_, i) => draft.parameters[i] ?? '');

  function choose(id: string) {
    const template = templates?.find((x) => x.id === id);
    set({ templateId: id, templateChannelId: channelId, parameters: Array.from({ length: template?.parameterCount ?? 0 }, (_, i) => draft.parameters[i] ?? '') });
  }

  return (
    <>
      <FormField id="autoreply-template-number" label={t('autoreply.template.number')} hint={numbers.length === 0 ? t('autoreply.template.numbersFirst') : undefined}>
        {(describedBy) => (
          <select id="autoreply-template-number" aria-describedby={describedBy} value={channelId} disabled={numbers.length === 0} onChange={(event) => set({ templateChannelId: event.target.value, templateId: '', parameters: [] })}>
            {numbers.map((n) => <option key={n.id} value={n.id}>{n.label}</option>)}
          </select>
        )}
      </FormField>
      <FormField id="autoreply-template" label={t('autoreply.template')} hint={mayRead ? t('autoreply.template.hint') : t('autoreply.template.notAllowed')} error={field('answer.templateId')}>
        {(describedBy, invalid) => (
          <select id="autoreply-template" required aria-describedby={describedBy} aria-invalid={invalid} value={draft.templateId} disabled={!templates} onChange={(event) => choose(event.target.value)}>
            <option value="">{loading.busy ? t('common.loading') : t('autoreply.template.choose')}</option>
            {(templates ?? []).map((x) => {
              const why = templateUnusable(x);
              return (
                <option key={x.id} value={x.id} disabled={why !== null}>
                  {`${x.name} (${x.language})${why ? ` — ${t(why)}` : ''}`}
                </option>
              );
            })}
          </select>
        )}
      </FormField>
      <ErrorAlert error={loading.error} />
      {parameters.map((value, i) => (
        <FormField key={i} id={`autoreply-param-${i + 1}`} label={t('autoreply.template.variable', { n: i + 1 })} error={field(`answer.parameters.${i}`)}>
          {(describedBy, invalid) => (
            <input
              id={`autoreply-param-${i + 1}`}
              required
              maxLength={1024}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={value}
              onChange={(event) => set({ parameters: parameters.map((p, j) => (j === i ? event.target.value : p)) })}
            />
          )}
        </FormField>
      ))}
      {field('answer.parameters') && <p className="field-error" id="autoreply-parameters-error">{field('answer.parameters')}</p>}
      {chosen?.bodyText && (
        <div className="template-bubble" id="autoreply-template-preview" aria-label={t('autoreply.template.preview')}>
          <p className="template-bubble-body">{fillTemplate(chosen.bodyText, parameters)}</p>
        </div>
      )}
    </>
  );
}

/** The lookup answer: one of the configured integrations, listed for those who may read them. */
function LookupFields({ draft, set, field, currentName }: AnswerFieldsProps) {
  const { t } = useI18n();
  const { ability } = useSession();
  const [integrations, setIntegrations] = useState<Integration[] | null>(null);
  const loading = useAction();
  const { run } = loading;
  const mayRead = ability.can('read', 'Integration');

  useEffect(() => {
    if (mayRead) {
      void run(async () => setIntegrations((await integrationsApi.list()).items));
    }
  }, [mayRead, run]);

  const options = integrations ?? (draft.integrationId ? [{ id: draft.integrationId, name: currentName ?? draft.integrationId }] : []);
  return (
    <>
      <FormField id="autoreply-integration" label={t('autoreply.integration')} hint={mayRead ? t('autoreply.integration.hint') : t('autoreply.integration.notAllowed')} error={field('answer.integrationId')}>
        {(describedBy, invalid) => (
          <select id="autoreply-integration" required aria-describedby={describedBy} aria-invalid={invalid} value={draft.integrationId} disabled={!mayRead} onChange={(event) => set({ integrationId: event.target.value })}>
            <option value="">{loading.busy ? t('common.loading') : t('autoreply.integration.choose')}</option>
            {options.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
          </select>
        )}
      </FormField>
      <ErrorAlert error={loading.error} />
    </>
  );
}

/** The answer's kind, then the fields of that kind. */
export function AnswerFields(props: AnswerFieldsProps) {
  const { t } = useI18n();
  const { draft, set, field } = props;
  const typed = draft.kind === 'text' || draft.kind === 'interactive';
  return (
    <fieldset className="autoreply-answer">
      <legend>{t('autoreply.answer')}</legend>
      <FormField id="autoreply-kind" label={t('autoreply.kind')} error={field('answer')}>
        {(describedBy, invalid) => (
          <select id="autoreply-kind" aria-describedby={describedBy} aria-invalid={invalid} value={draft.kind} onChange={(event) => set({ kind: ANSWER_KINDS.find((k) => k === event.target.value) ?? 'text' })}>
            {ANSWER_KINDS.map((k) => <option key={k} value={k}>{t(`autoreply.kind.${k}`)}</option>)}
          </select>
        )}
      </FormField>
      {typed && (
        <FormField id="autoreply-text" label={t('autoreply.text')} error={field('answer.text')}>
          {(describedBy, invalid) => <textarea id="autoreply-text" name="text" rows={3} required maxLength={draft.kind === 'text' ? 4096 : 1024} aria-describedby={describedBy} aria-invalid={invalid} value={draft.text} onChange={(event) => set({ text: event.target.value })} />}
        </FormField>
      )}
      {draft.kind === 'interactive' && (
        <FormField id="autoreply-buttons" label={t('autoreply.buttons')} hint={t('autoreply.buttonsHint')} error={field('answer.buttons')}>
          {(describedBy, invalid) => <input id="autoreply-buttons" name="buttons" required aria-describedby={describedBy} aria-invalid={invalid} value={draft.buttons} onChange={(event) => set({ buttons: event.target.value })} />}
        </FormField>
      )}
      {draft.kind === 'media' && <FileFields {...props} />}
      {draft.kind === 'template' && <TemplateFields {...props} />}
      {draft.kind === 'lookup' && <LookupFields {...props} />}
    </fieldset>
  );
}
