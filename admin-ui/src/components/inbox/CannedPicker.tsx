import { useEffect, useState } from 'react';
import type { KeyboardEvent, ReactNode, RefObject } from 'react';
import { useSession } from '../../auth';
import { cannedApi, type CannedResponse } from '../../cannedApi';
import { matching, shortcutAt } from '../../cannedShortcut';
import { useI18n } from '../../i18n';

type Options = {
  conversationId: string;
  text: string;
  setText: (text: string) => void;
  textRef: RefObject<HTMLTextAreaElement | null>;
};

export type CannedShortcut = {
  /** The list, while a `/shortcut` is being typed. */
  picker: ReactNode;
  /** Handles the list's keys (arrows, Enter, Tab, Escape); true when the key was the list's. */
  keyDown: (event: KeyboardEvent<HTMLTextAreaElement>) => boolean;
  /** The caret moved (typing, clicking, selecting). */
  onCaret: (caret: number) => void;
  /** The textarea's attributes that tie it to the list for assistive technology. */
  inputProps: { 'aria-autocomplete': 'list'; 'aria-controls'?: string; 'aria-activedescendant'?: string };
};

/**
 * Canned responses in the composer: typing `/` at the start of a word lists the user's own and the
 * shared responses, filled for this conversation by the server ({{contact.name}}, {{agent.name}});
 * choosing one (keyboard or mouse) replaces the `/word` with its text.
 */
export function useCannedShortcut({ conversationId, text, setText, textRef }: Options): CannedShortcut {
  const { t } = useI18n();
  const { ability } = useSession();
  const allowed = ability.can('read', 'CannedResponse');
  const [caret, setCaret] = useState(0);
  const [loaded, setLoaded] = useState<{ conversationId: string; items: CannedResponse[] } | null>(null);
  const [active, setActive] = useState(0);
  // Escape closes the list for this `/word`; typing another one opens it again.
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const token = allowed ? shortcutAt(text, caret) : null;
  const open = token !== null && dismissedAt !== token.start;
  const items = loaded?.conversationId === conversationId ? loaded.items : null;
  const shown = open && items ? matching(items, token.query) : [];
  const needed = open && items === null;

  useEffect(() => {
    if (!needed) {
      return undefined;
    }
    let live = true;
    cannedApi
      .list(conversationId)
      .then((page) => live && setLoaded({ conversationId, items: page.items }))
      .catch(() => live && setLoaded({ conversationId, items: [] }));
    return () => {
      live = false;
    };
  }, [needed, conversationId]);

  useEffect(() => {
    setActive(0);
  }, [token?.query, token?.start]);

  function insert(response: CannedResponse) {
    if (!token) {
      return;
    }
    const filled = response.text ?? response.body;
    const next = text.slice(0, token.start) + filled + text.slice(caret);
    const position = token.start + filled.length;
    setText(next);
    setCaret(position);
    requestAnimationFrame(() => {
      textRef.current?.focus();
      textRef.current?.setSelectionRange(position, position);
    });
  }

  function keyDown(event: KeyboardEvent<HTMLTextAreaElement>): boolean {
    if (!open || !token) {
      return false;
    }
    if (event.key === 'Escape') {
      setDismissedAt(token.start);
    } else if (shown.length === 0) {
      return false;
    } else if (event.key === 'ArrowDown') {
      setActive((i) => (i + 1) % shown.length);
    } else if (event.key === 'ArrowUp') {
      setActive((i) => (i - 1 + shown.length) % shown.length);
    } else if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') {
      insert(shown[Math.min(active, shown.length - 1)]!);
    } else {
      return false;
    }
    event.preventDefault();
    event.stopPropagation();
    return true;
  }

  const activeId = shown[active] ? `canned-option-${shown[active].id}` : undefined;
  const picker = open ? (
    <div className="canned-picker" id="canned-picker-box">
      <ul role="listbox" id="canned-picker" aria-label={t('inbox.canned.list')}>
        {shown.map((r, i) => (
          <li
            key={r.id}
            id={`canned-option-${r.id}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'canned-option active' : 'canned-option'}
            data-button="inbox.insertCanned"
            data-shortcut={r.shortcut}
            // Keeps the focus (and the caret) in the textarea.
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => insert(r)}
          >
            <span className="canned-option-head">
              <code>/{r.shortcut}</code> <span>{r.title}</span>
            </span>
            <span className="canned-option-text">{r.text ?? r.body}</span>
          </li>
        ))}
      </ul>
      {items !== null && shown.length === 0 && (
        <p className="hint" role="status">
          {t('inbox.canned.none', { query: token.query })}
        </p>
      )}
    </div>
  ) : null;

  return {
    picker,
    keyDown,
    onCaret: setCaret,
    inputProps: { 'aria-autocomplete': 'list', ...(open ? { 'aria-controls': 'canned-picker' } : {}), ...(open && activeId ? { 'aria-activedescendant': activeId } : {}) },
  };
}
