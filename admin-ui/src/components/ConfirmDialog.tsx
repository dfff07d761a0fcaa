import type { ReactNode } from 'react';
import type { UiAction, UiSubject } from '../ability';
import { useI18n } from '../i18n';
import { Can } from './Can';
import { Dialog } from './Dialog';
import { ErrorAlert } from './ErrorAlert';

interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** The permission the confirmed action needs; the confirm button is gated by it too. */
  can: [UiAction, UiSubject];
  /** `data-button` of the confirm button. */
  button: string;
  danger?: boolean;
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
}

/** Asks before a consequential action (delete, disable, reset). */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { t } = useI18n();
  const [action, subject] = props.can;
  return (
    <Dialog title={props.title} onClose={props.onClose} id="confirm-dialog">
      <div className="confirm-text">{props.children}</div>
      <ErrorAlert error={props.error} />
      <div className="form-actions">
        <button type="button" className="button-secondary" onClick={props.onClose} data-ui="dialog.cancel">
          {t('common.cancel')}
        </button>
        <Can I={action} a={subject}>
          <button
            type="button"
            className={props.danger ? 'button-danger' : 'button-primary'}
            onClick={props.onConfirm}
            disabled={props.busy}
            data-button={props.button}
          >
            {props.confirmLabel}
          </button>
        </Can>
      </div>
    </Dialog>
  );
}
