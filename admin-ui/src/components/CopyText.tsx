import { useCopy } from '../hooks';
import { useI18n } from '../i18n';

interface CopyTextProps {
  /** Id of the `<code>` element holding the value (for tests and labels). */
  id: string;
  value: string;
  /** `data-ui` of the copy button. */
  button: string;
  label: string;
}

/** A value shown in full with a copy button; falls back to selecting it for a manual copy. */
export function CopyText({ id, value, button, label }: CopyTextProps) {
  const { t } = useI18n();
  const { copied, copy, ref: codeRef } = useCopy(value);

  return (
    <div className="copy-text">
      <div className="secret">
        <code id={id} ref={codeRef} aria-label={label}>
          {value}
        </code>
        <button type="button" className="button-secondary" onClick={() => void copy()} data-ui={button}>
          {t('common.copy')}
          <span className="visually-hidden"> {label}</span>
        </button>
      </div>
      <p role="status" className="hint">
        {copied === 'yes' ? t('common.copied') : copied === 'no' ? t('common.copyFailed') : ''}
      </p>
    </div>
  );
}
