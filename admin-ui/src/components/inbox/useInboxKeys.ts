import { useEffect } from 'react';
import type { Dispatch, RefObject, SetStateAction } from 'react';
import type { ConversationSummary } from '../../types';

/** Keys typed into these are text, not shortcuts. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) {
    return false;
  }
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

interface InboxKeys {
  /** The list as shown and the open conversation, read when a key is pressed. */
  state: RefObject<{ items: ConversationSummary[]; selectedId: string | null }>;
  setActiveId: Dispatch<SetStateAction<string | null>>;
  listRef: RefObject<HTMLUListElement | null>;
  isPhone: () => boolean;
  back: () => void;
}

/** Shortcuts outside text fields and dialogs: j/k move in the list, Escape closes the conversation. */
export function useInboxKeys({ state, setActiveId, listRef, isPhone, back }: InboxKeys): void {
  useEffect(() => {
    function keyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      const target = event.target instanceof Element ? event.target : null;
      if (target?.closest('dialog') || document.querySelector('dialog[open]')) {
        return;
      }
      const { items: all, selectedId } = state.current;
      if (event.key === 'Escape') {
        // In the composer too (the draft is kept), but not in filters and pickers.
        if (selectedId && !(isTyping(target) && target?.tagName !== 'TEXTAREA')) {
          event.preventDefault();
          back();
        }
        return;
      }
      if (isTyping(target) || (event.key !== 'j' && event.key !== 'k')) {
        return;
      }
      if (all.length === 0) {
        return;
      }
      event.preventDefault();
      setActiveId((current) => {
        const index = all.findIndex((item) => item.id === (current ?? selectedId));
        const next = index < 0 ? 0 : Math.min(all.length - 1, Math.max(0, index + (event.key === 'j' ? 1 : -1)));
        return all[next]?.id ?? current;
      });
      if (!isPhone() || !selectedId) {
        listRef.current?.focus();
      }
    }
    window.addEventListener('keydown', keyDown);
    return () => window.removeEventListener('keydown', keyDown);
  }, [state, setActiveId, listRef, isPhone, back]);
}
