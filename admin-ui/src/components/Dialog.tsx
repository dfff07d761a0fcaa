import { useId, useLayoutEffect, useRef } from 'react';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n';

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Stable id for tests and aria wiring. */
  id?: string;
  wide?: boolean;
}

/**
 * A modal built on the native `<dialog>`: the browser traps focus, makes the page inert,
 * closes on Escape and returns focus to the opener. Mount it only while it is open.
 */
export function Dialog({ title, onClose, children, id, wide }: DialogProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  // A layout effect: its clean-up closes the dialog while it is still in the document, which
  // is when the browser gives focus back to the opener (after removal it would go to <body>).
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) {
      dialog.showModal();
    }
    return () => dialog?.close();
  }, []);

  return (
    <dialog
      ref={ref}
      id={id}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby={titleId}
      onCancel={(event) => {
        // Escape: let React state close it, so state and DOM never disagree.
        event.preventDefault();
        onClose();
      }}
    >
      <div className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="button-icon" onClick={onClose} data-ui="dialog.close">
          <span aria-hidden="true">×</span>
          <span className="visually-hidden">{t('common.close')}</span>
        </button>
      </div>
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}
