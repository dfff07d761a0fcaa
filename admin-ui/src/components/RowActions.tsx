/**
 * A table row's actions, inline while the table fits its container and folded into a "⋯"
 * menu button once it does not (long French labels, narrow windows, phones). The buttons are
 * the same elements either way (each keeps its `data-button` id), only their container changes.
 */
import { createContext, useCallback, useContext, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import type { KeyboardEvent, MouseEvent, ReactNode, RefObject } from 'react';
import { useI18n } from '../i18n';

/** Whether the rows of the nearest list fold their actions into a menu. */
export const FoldedActionsContext = createContext(false);
const InMenuContext = createContext(false);

/** True inside a folded actions menu: a row action renders as a menu item there. */
export function useInRowMenu(): boolean {
  return useContext(InMenuContext);
}

/**
 * Measures whether the table in `wrapRef` fits its container with the row actions inline, and
 * folds them when it does not. Unfolding waits until the container is as wide as the inline
 * table needed, so the two layouts never alternate. A new `content` (a string naming the rows,
 * columns and language) tries inline again; layout effects run before paint, so the user never
 * sees the attempt. A table that grows while inline is caught by the observer.
 */
export function useFoldedActions(wrapRef: RefObject<HTMLElement | null>, enabled: boolean, content: string): boolean {
  const [folded, setFolded] = useState(false);
  const needed = useRef(0);

  useLayoutEffect(() => setFolded(false), [content]);

  useLayoutEffect(() => {
    const wrap = wrapRef.current;
    const table = wrap?.querySelector('table');
    if (!enabled || !wrap || !table) {
      return;
    }
    const measure = () => {
      if (!folded && table.offsetWidth > wrap.clientWidth) {
        needed.current = table.offsetWidth;
        setFolded(true);
      } else if (folded && wrap.clientWidth >= needed.current) {
        setFolded(false);
      }
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(wrap);
    observer.observe(table);
    return () => observer.disconnect();
  }, [wrapRef, enabled, folded]);

  return enabled && folded;
}

// The items a user can move to and choose (a note is an item, but a disabled one).
const ITEMS = '[role="menuitem"]:not(:disabled):not([aria-disabled="true"])';

/** Closed, or open with focus starting on the first or the last item. */
type MenuState = false | 'first' | 'last';

/** A row's actions: inline, or behind a menu button when the list folds them. `name` names the row for screen readers. */
export function RowActions({ name, className, children }: { name: string; className?: string; children: ReactNode }) {
  const folded = useContext(FoldedActionsContext);
  return folded ? <RowMenu name={name}>{children}</RowMenu> : <div className={className ?? 'row-actions-inline'}>{children}</div>;
}

/** A note among a row's actions (e.g. "read only"); a disabled item when folded into the menu. */
export function RowNote({ children }: { children: ReactNode }) {
  const inMenu = useInRowMenu();
  return inMenu ? (
    <span role="menuitem" aria-disabled="true" tabIndex={-1} className="row-menu-item row-menu-note">
      {children}
    </span>
  ) : (
    <span className="muted">{children}</span>
  );
}

function RowMenu({ name, children }: { name: string; children: ReactNode }) {
  const { t } = useI18n();
  const [open, setOpen] = useState<MenuState>(false);
  const [hasItems, setHasItems] = useState(true);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const id = useId();

  const items = () => [...(menuRef.current?.querySelectorAll<HTMLElement>(ITEMS) ?? [])];
  const focusItem = (index: number) => {
    const all = items();
    // preventScroll: the menu is placed by hand; a scroll would move it away from its button.
    all[(index + all.length) % all.length]?.focus({ preventScroll: true });
  };
  const close = useCallback((refocus: boolean) => {
    setOpen(false);
    if (refocus) {
      buttonRef.current?.focus();
    }
  }, []);

  // The permissions the user holds decide which items render: no items, no button.
  useLayoutEffect(() => {
    const any = menuRef.current?.querySelector('[role="menuitem"]') !== null;
    setHasItems((current) => (current === any ? current : any));
  });

  // Fixed to the viewport, so the table's scrolling container cannot clip it; placed under
  // the button (above it near the bottom of the window) and kept there while the page scrolls.
  useLayoutEffect(() => {
    const menu = menuRef.current;
    const button = buttonRef.current;
    if (!open || !menu || !button) {
      return;
    }
    const place = () => {
      const anchor = button.getBoundingClientRect();
      const below = anchor.bottom + menu.offsetHeight + 4 <= window.innerHeight;
      menu.style.right = `${Math.max(4, document.documentElement.clientWidth - anchor.right)}px`;
      menu.style.top = below ? `${anchor.bottom + 2}px` : `${Math.max(4, anchor.top - menu.offsetHeight - 2)}px`;
    };
    place();
    focusItem(open === 'last' ? -1 : 0);
    const outside = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!menu.contains(target) && !button.contains(target)) {
        setOpen(false);
      }
    };
    window.addEventListener('scroll', place, true);
    window.addEventListener('resize', place);
    document.addEventListener('pointerdown', outside);
    return () => {
      window.removeEventListener('scroll', place, true);
      window.removeEventListener('resize', place);
      document.removeEventListener('pointerdown', outside);
    };
  }, [open]);

  useEffect(() => {
    if (!hasItems) {
      setOpen(false);
    }
  }, [hasItems]);

  function buttonKeys(event: KeyboardEvent<HTMLButtonElement>) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const start = event.key === 'ArrowDown' ? 'first' : 'last';
      if (open) {
        focusItem(start === 'first' ? 0 : -1);
      } else {
        setOpen(start);
      }
    }
  }

  function menuKeys(event: KeyboardEvent<HTMLDivElement>) {
    const all = items();
    const at = all.indexOf(document.activeElement as HTMLElement);
    const moves: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: -1 };
    if (event.key in moves) {
      event.preventDefault();
      focusItem(moves[event.key]!);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close(true);
    } else if (event.key === 'Tab') {
      close(false);
    }
  }

  // After an item runs, the menu closes. Focus returns to the menu button unless the action
  // moved it elsewhere, so a dialog the item opened gives focus back to a visible element.
  // (Safari does not focus a clicked button: focus then is on <body>.)
  function itemChosen(event: MouseEvent<HTMLDivElement>) {
    if (!(event.target as Element).closest(ITEMS)) {
      return;
    }
    const active = document.activeElement;
    close(!active || active === document.body || menuRef.current?.contains(active) === true);
  }

  return (
    <div className="row-menu">
      {hasItems && (
        <button
          ref={buttonRef}
          type="button"
          className="row-menu-button"
          id={`${id}-button`}
          aria-haspopup="menu"
          aria-expanded={open !== false}
          aria-controls={`${id}-menu`}
          onClick={() => setOpen((current) => (current ? false : 'first'))}
          onKeyDown={buttonKeys}
          data-ui="list.rowMenu"
        >
          <span aria-hidden="true">⋯</span>
          <span className="visually-hidden">
            {t('common.actions')} {name}
          </span>
        </button>
      )}
      <div ref={menuRef} role="menu" id={`${id}-menu`} aria-labelledby={`${id}-button`} className="row-menu-list" hidden={open === false} onKeyDown={menuKeys} onClick={itemChosen}>
        <InMenuContext.Provider value={true}>{children}</InMenuContext.Provider>
      </div>
    </div>
  );
}
