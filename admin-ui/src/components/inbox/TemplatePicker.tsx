import { useEffect, useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { useSession } from '../../auth';
import { conversationsApi, templatesApi } from '../../endpoints';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { fillTemplate } from '../../inbox';
import type { ConversationSummary, Message, Template } from '../../types';
import { Can } from '../Can';
import { ErrorAlert } from '../ErrorAlert';

interface TemplatePickerProps {
  conversation: ConversationSummary;
  onSent: (message: Message) => void;
  /** Present when the picker was opened from the menu and can be closed again. */
  onClose?: () => void;
}

/** Approved templates of the conversation's number, with one input per `{{n}}` parameter. */
export function TemplatePicker({ conversation, onSent, onClose }: TemplatePickerProps) {
  const { t } = useI18n();
  const { ability } = useSession();
  const canRead = ability.can('read', 'Template');
  const channelId = conversation.channel.id;
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const [templateId, setTemplateId] = useState('');
  const [parameters, setParameters] = useState<string[]>([]);
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
  const missing = template ? parameters.slice(0, template.parameterCount).some((value) => !value.trim()) || parameters.length < template.parameterCount : true;

  function choose(id: string) {
    setTemplateId(id);
    const next = templates?.find((item) => item.id === id);
    setParameters(Array.from({ length: next?.parameterCount ?? 0 }, () => ''));
    sending.setError(null);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!template || missing) {
      return;
    }
    const values = parameters.slice(0, template.parameterCount).map((value) => value.trim());
    const result = await sending.run(() => conversationsApi.send(conversation.id, { type: 'template', templateId: template.id, parameters: values }));
    if (result) {
      setTemplateId('');
      setParameters([]);
      onSent(result.message);
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
            {template.bodyText && (
              <div className="field">
                <span className="label" id="template-preview-label">
                  {t('inbox.templates.preview')}
                </span>
                <p className="template-preview" id="template-preview" aria-labelledby="template-preview-label">
                  {fillTemplate(template.bodyText, parameters)}
                </p>
              </div>
            )}
            {parameters.length > 0 && (
              <div className="field-row">
                {parameters.map((value, index) => (
                  <div className="field" key={index}>
                    <label htmlFor={`template-param-${index + 1}`}>{t('inbox.templates.parameter', { n: index + 1 })}</label>
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
