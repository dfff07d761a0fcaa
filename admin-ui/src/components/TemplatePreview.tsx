import { useI18n } from '../i18n';
import { fillTemplate } from '../inbox';
import type { Draft } from '../templates';

const BUTTON_ICON: Record<string, string> = { QUICK_REPLY: '↩', URL: '↗', PHONE_NUMBER: '☎', OTP: '⧉' };

/** The template as the customer's phone shows it, examples filled in; updated as the form changes. */
export function TemplatePreview({ draft }: { draft: Draft }) {
  const { t } = useI18n();
  const auth = draft.category === 'AUTHENTICATION';
  const expiration = Number(draft.codeExpiration);
  const headerText = draft.headerFormat === 'TEXT' ? fillTemplate(draft.headerText, [draft.headerExample]) : '';
  const body = auth ? t('templates.preview.authBody') : fillTemplate(draft.body, draft.examples);
  const footer = auth ? (expiration > 0 ? t('templates.preview.authExpires', { n: expiration }) : '') : draft.footer;
  const buttons = auth
    ? [{ key: 0, type: 'OTP', text: draft.otpText.trim() || t('templates.preview.copyCode') }]
    : draft.buttons.map((b) => ({ key: b.key, type: b.type, text: b.text }));
  return (
    <section className="template-phone" aria-labelledby="template-preview-title">
      <h3 id="template-preview-title">{t('templates.preview.title')}</h3>
      <div className="template-bubble" id="template-live-preview">
        {!auth && draft.headerFormat && draft.headerFormat !== 'TEXT' && (
          <div className="template-media" data-format={draft.headerFormat}>
            {t(`templates.header.${draft.headerFormat}`)}
          </div>
        )}
        {headerText && <p className="template-bubble-header">{headerText}</p>}
        <p className="template-bubble-body">{body.trim() ? body : <span className="muted">{t('templates.preview.empty')}</span>}</p>
        {auth && draft.securityRecommendation && <p className="template-bubble-body">{t('templates.preview.authSecurity')}</p>}
        {footer && <p className="template-bubble-footer">{footer}</p>}
      </div>
      {buttons.length > 0 && (
        <ul className="template-bubble-buttons">
          {buttons.map((b) => (
            <li key={b.key}>
              <span aria-hidden="true">{BUTTON_ICON[b.type] ?? ''} </span>
              {b.text || <span className="muted">{t('templates.preview.buttonPlaceholder')}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
