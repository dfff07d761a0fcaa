import { useEffect, useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { useSession } from '../../auth';
import { conversationsApi, templatesApi } from '../../endpoints';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { fillTemplate } from '../../inbox';
import type { ConversationSummary, Message, Template, UploadedMedia } from '../../types';
import { Can } from '../Can';
import { ErrorAlert } from '../ErrorAlert';
import { HeaderFileField, mediaHeaderFormat } from '../HeaderFileField';


interface TemplatePickerProps {
  conversation: ConversationSummary;
  onSent: (message: Message) => void;
  /** Present when the picker was opened from the menu and can be closed again. */
  onClose?: () => void;
}

/**
 * Approved templates of the conversation's number, with one input per variable: the body's
 * `{{n}}`, a text header's, and each link button ending in one (an authentication code fills
 * its copy-code button itself), and the file of an image, video or document header.
 */
export function TemplatePicker({ conversation, onSent, onClose }: TemplatePickerProps) {
  const { t } = useI18n();
  const { ability } = useSession();
  const canRead = ability.can('read', 'Template');
  const channelId = conversation.channel.id;
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const [templateId, setTemplateId] = useState('');
  const [parameters, setParameters] = useState<string[]>([]);
  const [headerValue, setHeaderValue] = useState('');
  const [buttonValues, setButtonValues] = useState<Record<number, string>>({});
  const [headerFile, setHeaderFile] = useState<UploadedMedia | null>(null);
  const loading = useAction();
  const sending = useAction();
  const { run: runLoad } = loading;

  useEffect(() => {
    if (!canRead) {
      return undefined;
    }
    let live = true;
    void runLoad(() => templatesApi.list(channelId)).then((page) => {
      if (live && page) {
        // Only templates Meta approved can be sent.
        setTemplates(page.items.filter((item) => item.status.toUpperCase() === 'APPROVED'));
      }
    });
    return () => {
      live = false;
    };
  }, [canRead, channelId, runLoad]);

  const template = useMemo(() => templates?.find((item) => item.id === templateId) ?? null, [templates, templateId]);
  // An authentication template's copy-code button carries the code itself: no second input.
  const authentication = template?.category?.toUpperCase() === 'AUTHENTICATION';
  const mediaFormat = mediaHeaderFormat(template?.header);
  const needsHeader = (template?.header?.parameterCount ?? 0) > 0;
  const linkButtons = authentication ? [] : template?.urlButtonParameters ?? [];
  const missing =
    !template ||
    (mediaFormat !== null && !headerFile) ||
    parameters.slice(0, template.parameterCount).some((value) => !value.trim()) ||
    parameters.length < template.parameterCount ||
    (needsHeader && !headerValue.trim()) ||
    linkButtons.some((button) => !buttonValues[button.index]?.trim());

  function choose(id: string) {
    setTemplateId(id);
    const next = templates?.find((item) => item.id === id);
    setParameters(Array.from({ length: next?.parameterCount ?? 0 }, () => ''));
    setHeaderValue('');
    setButtonValues({});
    setHeaderFile(null);
    sending.setError(null);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!template || missing) {
      return;
    }
    const values = parameters.slice(0, template.parameterCount).map((value) => value.trim());
    const buttonParameters = template.urlButtonParameters.map((button) => ({
      index: button.index,
      text: authentication ? (values[0] ?? '') : (buttonValues[button.index] ?? '').trim(),
    }));
    const input = {
      type: 'template' as const,
      templateId: template.id,
      parameters: values,
      ...(needsHeader ? { headerParameter: headerValue.trim() } : {}),
      ...(mediaFormat && headerFile ? { headerMediaId: headerFile.id } : {}),
      ...(buttonParameters.length > 0 ? { buttonParameters } : {}),
    };
    const result = await sending.run(() => conversationsApi.send(conversation.id, input));
    if (result) {
      setTemplateId('');
      setParameters([]);
      setHeaderValue('');
      setButtonValues({});
      setHeaderFile(null);
      if (result.message) {
        onSent(result.message);
      }
    }
  }

  return (
    <form className="template-picker" id="template-picker" onSubmit={(event) => void submit(event)} aria-labelledby="template-picker-title">
      <div className="template-picker-header">
        <h3 id="template-picker-title">{t('inbox.templates.title')}</h3>
        {onClose && (
          <button type="button" className="button-link" onClick={onClose} data-ui="inbox.closeTemplates">
            {t('common.close')}
          </button>
        )}
      </div>
      <Can I="read" a="Template">
        <div className="field">
          <label htmlFor="template-select">{t('inbox.templates.choose')}</label>
          <select id="template-select" name="templateId" value={templateId} onChange={(event) => choose(event.target.value)} disabled={!templates || templates.length === 0}>
            <option value="">{templates === null ? t('common.loading') : templates.length === 0 ? t('inbox.templates.none') : t('inbox.templates.placeholder')}</option>
            {(templates ?? []).map((item) => (
              <option key={item.id} value={item.id}>
                {item.name} ({item.language}) · {item.category}
              </option>
            ))}
          </select>
        </div>
        {template && (
          <>
            {mediaFormat && <HeaderFileField id="template-header-file" format={mediaFormat} file={headerFile} onChange={setHeaderFile} />}
            {template.bodyText && (
              <div className="field">
                <span className="label" id="template-preview-label">
                  {t('inbox.templates.preview')}
                </span>
                <p className="template-preview" id="template-preview" aria-labelledby="template-preview-label">
                  {template.header?.text && (
                    <>
                      <strong>{fillTemplate(template.header.text, [headerValue])}</strong>
                      <br />
                    </>
                  )}
                  {fillTemplate(template.bodyText, parameters)}
                </p>
              </div>
            )}
            {needsHeader && (
              <div className="field">
                <label htmlFor="template-header-param">{t('inbox.templates.headerParameter')}</label>
                <input id="template-header-param" name="headerParameter" required autoComplete="off" maxLength={60} value={headerValue} onChange={(event) => setHeaderValue(event.target.value)} />
              </div>
            )}
            {parameters.length > 0 && (
              <div className="field-row">
                {parameters.map((value, index) => (
                  <div className="field" key={index}>
                    <label htmlFor={`template-param-${index + 1}`}>{authentication && index === 0 ? t('inbox.templates.code') : t('inbox.templates.parameter', { n: index + 1 })}</label>
                    <input
                      id={`template-param-${index + 1}`}
                      name={`parameter-${index + 1}`}
                      required
                      autoComplete="off"
                      value={value}
                      onChange={(event) => setParameters(parameters.map((item, at) => (at === index ? event.target.value : item)))}
                    />
                  </div>
                ))}
              </div>
            )}
            {linkButtons.map((button) => (
              <div className="field" key={button.index}>
                <label htmlFor={`template-button-param-${button.index}`}>{t('inbox.templates.buttonParameter', { button: button.text ?? '', url: button.url })}</label>
                <input
                  id={`template-button-param-${button.index}`}
                  name={`button-${button.index}`}
                  required
                  autoComplete="off"
                  value={buttonValues[button.index] ?? ''}
                  onChange={(event) => setButtonValues({ ...buttonValues, [button.index]: event.target.value })}
                />
              </div>
            ))}
          </>
        )}
        <ErrorAlert error={loading.error} />
        <ErrorAlert error={sending.error} />
        <div className="form-actions">
          <Can I="create" a="Message">
            <button type="submit" className="button-primary" disabled={!template || missing || sending.busy} data-button="inbox.sendTemplate">
              {sending.busy ? t('inbox.sending') : t('inbox.templates.send')}
            </button>
          </Can>
        </div>
      </Can>
      <Can not I="read" a="Template">
        <p className="hint">{t('inbox.templates.notAllowed')}</p>
      </Can>
    </form>
  );
}
