import type { UiAction, UiSubject } from '../ability';
import { useI18n } from '../i18n';
import { Can } from './Can';

interface FormActionsProps {
  onCancel: () => void;
  /** The permission the submit needs; the submit button is shown only with it. */
  can: [UiAction, UiSubject];
  /** `data-button` of the submit button. */
  button: string;
  label: string;
  disabled: boolean;
}

/** A dialog form's buttons: Cancel, and the submit button gated by its permission. */
export function FormActions({ onCancel, can, button, label, disabled }: FormActionsProps) {
  const { t } = useI18n();
  const [action, subject] = can;
  return (
    <div className="form-actions">
      <button type="button" className="button-secondary" onClick={onCancel} data-ui="dialog.cancel">
        {t('common.cancel')}
      </button>
      <Can I={action} a={subject}>
        <button type="submit" className="button-primary" disabled={disabled} data-button={button}>
          {label}
        </button>
      </Can>
    </div>
  );
}
