import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { templatesApi } from '../endpoints';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { useFormErrors } from '../useFormErrors';
import type { MessageKey } from '../i18n';
import { CATEGORIES, draftToInput, EMPTY_DRAFT, HEADER_FORMATS, languageName, LIMITS, renumberVariables, TEMPLATE_LANGUAGES, variableNumbers, variableProblem } from '../templates';
import type { Draft } from '../templates';
import type { Channel, Template, TemplateCategory } from '../types';
import { Can } from './Can';
import { FormField } from './FormField';
import { Dialog } from './Dialog';
import { ErrorAlert } from './ErrorAlert';
import { buttonFieldLabels, TemplateButtonsEditor } from './TemplateButtonsEditor';
import { TemplatePreview } from './TemplatePreview';

interface Props {
  channel: Pick<Channel, 'id' | 'name' | 'displayNumber'>;
  onCreated: (template: Template) => void;
  onClose: () => void;
}

/** What each media header takes as its sample (Meta: image jpeg/png 5 MB, video mp4 16 MB, document pdf 100 MB). */
const SAMPLE_TYPES: Record<'IMAGE' | 'VIDEO' | 'DOCUMENT', { accept: string; label: string }> = {
  IMAGE: { accept: 'image/jpeg,image/png', label: 'JPEG, PNG ≤ 5 MB' },
  VIDEO: { accept: 'video/mp4', label: 'MP4 ≤ 16 MB' },
  DOCUMENT: { accept: 'application/pdf', label: 'PDF ≤ 100 MB' },
};

const CATEGORY_LABEL: Record<TemplateCategory, MessageKey> = {
  MARKETING: 'templates.category.MARKETING',
  UTILITY: 'templates.category.UTILITY',
  AUTHENTICATION: 'templates.category.AUTHENTICATION',
};

/** "New template": Meta's components with live checks and a phone preview; submits for review. */
export function TemplateForm({ channel, onCreated, onClose }: Props) {
  const { t, lang } = useI18n();
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const action = useAction();
  const sampleAction = useAction();
  const [sampleName, setSampleName] = useState('');
  const set = (patch: Partial<Draft>) => setDraft((previous) => ({ ...previous, ...patch }));
  const auth = draft.category === 'AUTHENTICATION';
  const variables = variableNumbers(draft.body);
  const bodyProblem = draft.body ? variableProblem(draft.body) : null;
  const headerProblem = draft.headerFormat === 'TEXT' && draft.headerText ? variableProblem(draft.headerText, 'header') : null;
  const headerHasVariable = draft.headerFormat === 'TEXT' && variableNumbers(draft.headerText).length > 0;
  const sampleTypes = !auth && draft.headerFormat && draft.headerFormat !== 'TEXT' ? SAMPLE_TYPES[draft.headerFormat] : null;
  const sampleMissing = sampleTypes !== null && !draft.headerHandle;
  // The fields on the form now: a refusal of any other shows in the alert, named by its label.
  const errors = useFormErrors(action.error, {
    name: t('templates.name'),
    language: t('templates.language'),
    category: t('templates.categoryLabel'),
    ...(auth
      ? { 'authentication.codeExpirationMinutes': t('templates.auth.expiration'), 'authentication.buttonText': t('templates.auth.buttonText') }
      : {
          ...(draft.headerFormat === 'TEXT' ? { 'header.text': t('templates.header.text') } : {}),
          ...(headerHasVariable ? { 'header.example': t('templates.exampleFor', { variable: '{{1}}' }) } : {}),
          ...(sampleTypes ? { 'header.exampleHandle': t('templates.header.sample') } : {}),
          body: t('templates.body'),
          'body.text': t('templates.body'),
          ...(variables.length > 0 ? { 'body.examples': t('templates.examples') } : {}),
          'footer.text': t('templates.footer'),
          ...buttonFieldLabels(draft.buttons, t),
        }),
  });
  const err = errors.field;

  /** Uploads the chosen sample file at once; its handle is what the submission carries. */
  async function chooseSample(file: File | undefined) {
    set({ headerHandle: '' });
    setSampleName('');
    if (!file) {
      return;
    }
    const result = await sampleAction.run(() => templatesApi.uploadSample(channel.id, file));
    if (result) {
      set({ headerHandle: result.handle });
      setSampleName(file.name);
    }
  }

  /** Inserts a variable at the cursor, then renumbers them all in order (examples follow their variable). */
  function addVariable() {
    const area = bodyRef.current;
    const token = `{{${Math.max(0, ...variables) + 1}}}`;
    const start = area?.selectionStart ?? draft.body.length;
    const end = area?.selectionEnd ?? draft.body.length;
    const inserted = `${draft.body.slice(0, start)}${token}${draft.body.slice(end)}`;
    if (inserted.length > LIMITS.body) {
      return;
    }
    const { text, examples } = renumberVariables(inserted, draft.examples);
    set({ body: text, examples });
    const caret = start + (text.length - draft.body.length + (end - start));
    requestAnimationFrame(() => {
      area?.focus();
      area?.setSelectionRange(caret, caret);
    });
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await action.run(() => templatesApi.create(draftToInput(channel.id, draft)));
    if (result) {
      onCreated(result.template);
    }
  }

  return (
    <Dialog title={t('templates.createTitle', { number: channel.name })} onClose={onClose} id="template-dialog" wide>
      <form ref={errors.formRef} className="template-editor" onSubmit={(event) => void submit(event)} autoComplete="off">
        <div className="template-fields">
          <div className="field-row">
            <FormField id="template-name" label={t('templates.name')} hint={t('templates.nameHint')} error={err('name')}>
              {(describedBy, invalid) => (
                <input
                  id="template-name"
                  name="name"
                  required
                  maxLength={LIMITS.name}
                  pattern="[a-z0-9_]+"
                  title={t('templates.nameHint')}
                  spellCheck={false}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  value={draft.name}
                  onChange={(event) => set({ name: event.target.value.toLowerCase().replace(/[\s-]/g, '_') })}
                />
              )}
            </FormField>
            <FormField id="template-language" label={t('templates.language')} error={err('language')}>
              {(describedBy, invalid) => (
                <select id="template-language" name="language" aria-describedby={describedBy} aria-invalid={invalid} value={draft.language} onChange={(event) => set({ language: event.target.value })}>
                  {TEMPLATE_LANGUAGES.map((code) => (
                    <option key={code} value={code}>
                      {languageName(code, lang)} ({code})
                    </option>
                  ))}
                </select>
              )}
            </FormField>
            <FormField id="template-category" label={t('templates.categoryLabel')} hint={t(`templates.categoryHint.${draft.category}`)}>
              {(describedBy) => (
                <select
                  id="template-category"
                  name="category"
                  aria-describedby={describedBy}
                  value={draft.category}
                  onChange={(event) => set({ category: CATEGORIES.find((c) => c === event.target.value) ?? 'UTILITY' })}
                >
                  {CATEGORIES.map((category) => (
                    <option key={category} value={category}>
                      {t(CATEGORY_LABEL[category])}
                    </option>
                  ))}
                </select>
              )}
            </FormField>
          </div>

          {auth ? (
            <fieldset>
              <legend>{t('templates.auth.title')}</legend>
              <p className="hint">{t('templates.auth.hint')}</p>
              <div className="checkbox">
                <input id="template-security" type="checkbox" checked={draft.securityRecommendation} onChange={(event) => set({ securityRecommendation: event.target.checked })} />
                <label htmlFor="template-security">{t('templates.auth.security')}</label>
              </div>
              <div className="field-row">
                <FormField id="template-expiration" label={t('templates.auth.expiration')} hint={t('templates.auth.expirationHint')}>
                  {(describedBy) => (
                    <input id="template-expiration" type="number" min={1} max={LIMITS.codeExpiration} inputMode="numeric" aria-describedby={describedBy} value={draft.codeExpiration} onChange={(event) => set({ codeExpiration: event.target.value })} />
                  )}
                </FormField>
                <FormField id="template-otp-text" label={t('templates.auth.buttonText')}>
                  {() => <input id="template-otp-text" maxLength={LIMITS.buttonText} placeholder={t('templates.preview.copyCode')} value={draft.otpText} onChange={(event) => set({ otpText: event.target.value })} />}
                </FormField>
              </div>
            </fieldset>
          ) : (
            <>
              <fieldset>
                <legend>{t('templates.header.title')}</legend>
                <div className="field-row">
                  <FormField id="template-header-format" label={t('templates.header.format')}>
                    {() => (
                      <select
                        id="template-header-format"
                        value={draft.headerFormat}
                        onChange={(event) => {
                          // A sample fits one format only: a new format needs a new file.
                          set({ headerFormat: HEADER_FORMATS.find((f) => f === event.target.value) ?? '', headerHandle: '' });
                          setSampleName('');
                          sampleAction.setError(null);
                        }}
                      >
                        <option value="">{t('templates.header.none')}</option>
                        {HEADER_FORMATS.map((format) => (
                          <option key={format} value={format}>
                            {t(`templates.header.${format}`)}
                          </option>
                        ))}
                      </select>
                    )}
                  </FormField>
                  {draft.headerFormat === 'TEXT' && (
                    <FormField id="template-header-text" label={t('templates.header.text')} hint={t('templates.header.textHint')} error={err('header.text') ?? (headerProblem ? t(`templates.problem.${headerProblem}`) : null)}>
                      {(describedBy, invalid) => (
                        <input id="template-header-text" required maxLength={LIMITS.headerText} aria-describedby={describedBy} aria-invalid={invalid} value={draft.headerText} onChange={(event) => set({ headerText: event.target.value })} />
                      )}
                    </FormField>
                  )}
                  {headerHasVariable && (
                    <FormField id="template-header-example" label={t('templates.exampleFor', { variable: '{{1}}' })} error={err('header.example')}>
                      {(describedBy, invalid) => (
                        <input id="template-header-example" required aria-describedby={describedBy} aria-invalid={invalid} value={draft.headerExample} onChange={(event) => set({ headerExample: event.target.value })} />
                      )}
                    </FormField>
                  )}
                  {sampleTypes && (
                    <FormField id="template-header-sample" label={t('templates.header.sample')} hint={t('templates.header.sampleHint', { types: sampleTypes.label })} error={err('header.exampleHandle')}>
                      {(describedBy, invalid) => (
                        <Can I="create" a="Template">
                          <input
                            id="template-header-sample"
                            key={draft.headerFormat}
                            type="file"
                            accept={sampleTypes.accept}
                            required
                            disabled={sampleAction.busy}
                            aria-describedby={describedBy}
                            aria-invalid={invalid}
                            data-button="templates.uploadSample"
                            onChange={(event) => void chooseSample(event.target.files?.[0])}
                          />
                        </Can>
                      )}
                    </FormField>
                  )}
                </div>
                {sampleTypes && (
                  <div aria-live="polite">
                    {sampleAction.busy && <p className="hint">{t('templates.header.sampleUploading')}</p>}
                    {!sampleAction.busy && draft.headerHandle && sampleName && (
                      <p className="hint" id="template-header-sample-ready">
                        {t('templates.header.sampleReady', { name: sampleName })}
                      </p>
                    )}
                    <ErrorAlert error={sampleAction.error} />
                  </div>
                )}
              </fieldset>

              <FormField
                id="template-body"
                label={t('templates.body')}
                hint={t('templates.bodyHint', { count: draft.body.length, max: LIMITS.body })}
                error={err('body.text') ?? err('body') ?? (bodyProblem ? t(`templates.problem.${bodyProblem}`) : null)}
              >
                {(describedBy, invalid) => (
                  <textarea
                    id="template-body"
                    ref={bodyRef}
                    name="body"
                    rows={5}
                    required
                    maxLength={LIMITS.body}
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                    value={draft.body}
                    onChange={(event) => set({ body: event.target.value })}
                  />
                )}
              </FormField>
              <div className="template-variable-bar">
                <button type="button" className="button-secondary" onClick={addVariable} data-ui="templates.addVariable">
                  {t('templates.addVariable')}
                </button>
              </div>
              {variables.length > 0 && (
                <fieldset aria-describedby="template-examples-hint">
                  <legend>{t('templates.examples')}</legend>
                  <p className="hint" id="template-examples-hint">
                    {t('templates.examplesHint')}
                  </p>
                  {err('body.examples') && <p className="field-error">{err('body.examples')}</p>}
                  <div className="field-row">
                    {variables.map((_, index) => (
                      <div className="field" key={index}>
                        <label htmlFor={`template-example-${index + 1}`}>{t('templates.exampleFor', { variable: `{{${index + 1}}}` })}</label>
                        <input
                          id={`template-example-${index + 1}`}
                          required
                          aria-invalid={err('body.examples') ? true : undefined}
                          autoComplete="off"
                          value={draft.examples[index] ?? ''}
                          onChange={(event) => {
                            const examples = Array.from({ length: Math.max(draft.examples.length, index + 1) }, (_unused, at) => draft.examples[at] ?? '');
                            examples[index] = event.target.value;
                            set({ examples });
                          }}
                        />
                      </div>
                    ))}
                  </div>
                </fieldset>
              )}

              <FormField id="template-footer" label={t('templates.footer')} hint={t('templates.footerHint')} error={err('footer.text')}>
                {(describedBy, invalid) => (
                  <input id="template-footer" maxLength={LIMITS.footer} aria-describedby={describedBy} aria-invalid={invalid} value={draft.footer} onChange={(event) => set({ footer: event.target.value })} />
                )}
              </FormField>

              <TemplateButtonsEditor buttons={draft.buttons} onChange={(buttons) => set({ buttons })} errors={errors} />
            </>
          )}
        </div>

        <TemplatePreview draft={draft} />

        <div className="template-actions">
          <ErrorAlert error={action.error} form={errors} />
          <p className="hint">{sampleMissing ? t('templates.header.sampleNeeded') : t('templates.reviewHint')}</p>
          <div className="form-actions">
            <button type="button" className="button-secondary" onClick={onClose} data-ui="templates.cancel">
              {t('common.cancel')}
            </button>
            <Can I="create" a="Template">
              <button type="submit" className="button-primary" disabled={action.busy || sampleAction.busy || sampleMissing} data-button="templates.submitCreate">
                {action.busy ? t('templates.submitting') : t('templates.submit')}
              </button>
            </Can>
          </div>
        </div>
      </form>
    </Dialog>
  );
}
