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

// Where focus starts: the first field one can type into or pick from, else the first control.
const FIELDS = 'input:not([type="hidden"]):not([disabled]):not([readonly]), select:not([disabled]), textarea:not([disabled]):not([readonly])';
const CONTROLS = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The first element matching `selector` under `root` that is rendered (not in a closed `<details>`, not hidden). */
function firstShown(root: Element, selector: string): HTMLElement | null {
  return Array.from(root.querySelectorAll<HTMLElement>(selector)).find((element) => element.getClientRects().length > 0) ?? null;
}

/**
 * A modal built on the native `<dialog>`: the browser traps focus, makes the page inert and
 * closes on Escape. Focus starts on the first field (the browser would pick the header's close
 * button) and goes back to the element that opened the dialog when it closes (the dialog is
 * unmounted, not just closed, so this is done here rather than left to the browser).
 * Mount it only while it is open.
 */
export function Dialog({ title, onClose, children, id, wide }: DialogProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  // A layout effect: its clean-up closes the dialog while it is still in the document, which
  // is when the browser gives focus back to the opener (after removal it would go to <body>).
  useLayoutEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog) {
      return undefined;
    }
    if (!dialog.open) {
      dialog.showModal();
    }
    const body = dialog.querySelector('.dialog-body');
    if (body) {
      (firstShown(body, FIELDS) ?? firstShown(body, CONTROLS))?.focus();
    }
    return () => {
      dialog.close();
      if (opener?.isConnected) {
        opener.focus();
      }
    };
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
