import { useRef, useState } from 'react';
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
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const codeRef = useRef<HTMLElement>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(password);
      setCopied('yes');
    } catch {
      // Clipboard refused (no permission, insecure context): select it for a manual copy.
      const node = codeRef.current;
      const selection = window.getSelection();
      if (node && selection) {
        const range = document.createRange();
        range.selectNodeContents(node);
        selection.removeAllRanges();
        selection.addRange(range);
      }
      setCopied('no');
    }
  }

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
