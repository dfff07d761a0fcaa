import { useCopy } from '../hooks';
import { useI18n } from '../i18n';
import { Dialog } from './Dialog';

interface TemporaryPasswordProps {
  email: string;
  password: string;
  onClose: () => void;
}

/** Shows a one-time temporary password with a copy button. It is never shown again. */
export function TemporaryPassword({ email, password, onClose }: TemporaryPasswordProps) {
  const { t } = useI18n();
  const { copied, copy, ref: codeRef } = useCopy(password);

  return (
    <Dialog title={t('tempPassword.title')} onClose={onClose} id="temporary-password-dialog">
      <p>{t('tempPassword.intro', { email })}</p>
      <div className="secret">
        <code id="temporary-password" ref={codeRef}>
          {password}
        </code>
        <button type="button" className="button-secondary" onClick={() => void copy()} data-ui="tempPassword.copy">
          {t('tempPassword.copy')}
        </button>
      </div>
      <p role="status" className="hint">
        {copied === 'yes' ? t('tempPassword.copied') : copied === 'no' ? t('tempPassword.copyFailed') : ''}
      </p>
      <p className="hint">{t('tempPassword.explain')}</p>
      <div className="form-actions">
        <button type="button" className="button-primary" onClick={onClose} data-ui="tempPassword.done">
          {t('tempPassword.done')}
        </button>
      </div>
    </Dialog>
  );
}
