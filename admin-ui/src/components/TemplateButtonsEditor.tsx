import type { FieldLabels, FormErrors } from '../fieldErrors';
import { useI18n } from '../i18n';
import type { I18n, MessageKey } from '../i18n';
import { buttonRoom, LIMITS, variableNumbers, variableProblem } from '../templates';
import type { DraftButton } from '../templates';
import type { TemplateButtonType } from '../types';

const TYPE_LABEL: Record<TemplateButtonType, MessageKey> = {
  QUICK_REPLY: 'templates.buttons.QUICK_REPLY',
  URL: 'templates.buttons.URL',
  PHONE_NUMBER: 'templates.buttons.PHONE_NUMBER',
};

const ADD_LABEL: Record<TemplateButtonType, MessageKey> = {
  QUICK_REPLY: 'templates.buttons.addQuickReply',
  URL: 'templates.buttons.addUrl',
  PHONE_NUMBER: 'templates.buttons.addPhone',
};

let nextKey = 1;

/**
 * Adds a button where Meta wants it: quick replies stay side by side (after the last one),
 * call-to-action buttons go last.
 */
function withButton(buttons: DraftButton[], type: TemplateButtonType): DraftButton[] {
  const button: DraftButton = { key: nextKey++, type, text: '', url: '', example: '', phoneNumber: '' };
  const lastQuick = buttons.map((b) => b.type).lastIndexOf('QUICK_REPLY');
  if (type === 'QUICK_REPLY' && lastQuick >= 0) {
    return [...buttons.slice(0, lastQuick + 1), button, ...buttons.slice(lastQuick + 1)];
  }
  return [...buttons, button];
}

interface Props {
  buttons: DraftButton[];
  onChange: (buttons: DraftButton[]) => void;
  /** The form's refused fields (`buttons`, `buttons.<index>.text`, ...). */
  errors: Pick<FormErrors, 'field'>;
}

/** The labels of the buttons' fields, for the form's error wording ("Button 2 (Website), Button text"). */
export function buttonFieldLabels(buttons: DraftButton[], t: I18n['t']): FieldLabels {
  const labels: FieldLabels = { buttons: t('templates.buttons.title') };
  buttons.forEach((b, index) => {
    const name = t('templates.buttons.numbered', { n: index + 1, type: t(TYPE_LABEL[b.type]) });
    labels[`buttons.${index}.text`] = `${name}, ${t('templates.buttons.text')}`;
    if (b.type === 'URL') {
      labels[`buttons.${index}.url`] = `${name}, ${t('templates.buttons.url')}`;
    }
    if (b.type === 'PHONE_NUMBER') {
      labels[`buttons.${index}.phoneNumber`] = `${name}, ${t('templates.buttons.phone')}`;
    }
  });
  return labels;
}

/** Quick-reply, website and call buttons, within Meta's limits (10 in all, 2 websites, 1 phone). */
export function TemplateButtonsEditor({ buttons, onChange, errors }: Props) {
  const { t } = useI18n();
  const room = buttonRoom(buttons);
  const update = (key: number, patch: Partial<DraftButton>) => onChange(buttons.map((b) => (b.key === key ? { ...b, ...patch } : b)));
  const listError = errors.field('buttons');

  return (
    <fieldset className="template-buttons" aria-describedby="template-buttons-hint">
      <legend>{t('templates.buttons.title')}</legend>
      <p id="template-buttons-hint" className="hint">
        {t('templates.buttons.hint')}
      </p>
      {listError && (
        <p className="field-error" id="template-buttons-error">
          {listError}
        </p>
      )}
      <ol className="template-button-list">
        {buttons.map((b, index) => {
          const id = `template-button-${index + 1}`;
          const urlProblem = b.type === 'URL' ? variableProblem(b.url, 'url') : null;
          const textError = errors.field(`buttons.${index}.text`);
          const phoneError = errors.field(`buttons.${index}.phoneNumber`);
          const urlError = errors.field(`buttons.${index}.url`) ?? (urlProblem ? t(`templates.problem.${urlProblem}`) : null);
          return (
            <li key={b.key} className="template-button-row" data-type={b.type}>
              <div className="template-button-head">
                <span className="label">{t('templates.buttons.numbered', { n: index + 1, type: t(TYPE_LABEL[b.type]) })}</span>
                <button type="button" className="button-link danger" onClick={() => onChange(buttons.filter((other) => other.key !== b.key))} data-ui="templates.removeButton">
                  {t('templates.buttons.remove')}
                  <span className="visually-hidden"> {t('templates.buttons.numbered', { n: index + 1, type: t(TYPE_LABEL[b.type]) })}</span>
                </button>
              </div>
              <div className="field-row">
                <div className="field">
                  <label htmlFor={`${id}-text`}>{t('templates.buttons.text')}</label>
                  <input
                    id={`${id}-text`}
                    required
                    maxLength={LIMITS.buttonText}
                    autoComplete="off"
                    aria-invalid={textError ? true : undefined}
                    aria-describedby={textError ? `${id}-text-error` : undefined}
                    value={b.text}
                    onChange={(event) => update(b.key, { text: event.target.value })}
                  />
                  {textError && (
                    <p className="field-error" id={`${id}-text-error`}>
                      {textError}
                    </p>
                  )}
                </div>
                {b.type === 'URL' && (
                  <div className="field">
                    <label htmlFor={`${id}-url`}>{t('templates.buttons.url')}</label>
                    <input
                      id={`${id}-url`}
                      type="url"
                      required
                      maxLength={LIMITS.url}
                      placeholder="https://example.com/order/{{1}}"
                      aria-invalid={urlError ? true : undefined}
                      aria-describedby={`${id}-url-hint${urlError ? ` ${id}-url-error` : ''}`}
                      value={b.url}
                      onChange={(event) => update(b.key, { url: event.target.value })}
                    />
                    <p className="hint" id={`${id}-url-hint`}>
                      {t('templates.buttons.urlHint')}
                    </p>
                    {urlError && (
                      <p className="field-error" id={`${id}-url-error`}>
                        {urlError}
                      </p>
                    )}
                  </div>
                )}
                {b.type === 'URL' && variableNumbers(b.url).length > 0 && (
                  <div className="field">
                    <label htmlFor={`${id}-example`}>{t('templates.exampleFor', { variable: '{{1}}' })}</label>
                    <input id={`${id}-example`} required autoComplete="off" value={b.example} onChange={(event) => update(b.key, { example: event.target.value })} />
                  </div>
                )}
                {b.type === 'PHONE_NUMBER' && (
                  <div className="field">
                    <label htmlFor={`${id}-phone`}>{t('templates.buttons.phone')}</label>
                    <input
                      id={`${id}-phone`}
                      type="tel"
                      required
                      autoComplete="off"
                      placeholder="+33 1 23 45 67 89"
                      aria-invalid={phoneError ? true : undefined}
                      aria-describedby={phoneError ? `${id}-phone-error` : undefined}
                      value={b.phoneNumber}
                      onChange={(event) => update(b.key, { phoneNumber: event.target.value })}
                    />
                    {phoneError && (
                      <p className="field-error" id={`${id}-phone-error`}>
                        {phoneError}
                      </p>
                    )}
                  </div>
                )}
              </div>
            </li>
          );
        })}
      </ol>
      <div className="template-button-add">
        {(['QUICK_REPLY', 'URL', 'PHONE_NUMBER'] as const).map((type) => (
          <button key={type} type="button" className="button-secondary" disabled={!room[type]} onClick={() => onChange(withButton(buttons, type))} data-ui={`templates.add.${type}`}>
            {t(ADD_LABEL[type])}
          </button>
        ))}
      </div>
    </fieldset>
  );
}
