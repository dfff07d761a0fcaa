import { useEffect, useRef, useState } from 'react';
import { macrosApi, type Macro } from '../../cannedApi';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import type { ConversationSummary } from '../../types';
import { Can } from '../Can';
import { ErrorAlert } from '../ErrorAlert';

interface MacroMenuProps {
  conversation: ConversationSummary;
  /** The conversation after a run; null when the user may no longer see it. */
  onDone: (conversation: ConversationSummary | null) => void;
}

/**
 * The conversation's Macros button: lists the macros the user may run and runs one in a click.
 * The server runs every step or none, each as its own button would (a step the user may not do
 * refuses the whole macro), so the menu offers every runnable macro and shows a refusal as is.
 */
export function MacroMenu({ conversation, onDone }: MacroMenuProps) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [macros, setMacros] = useState<Macro[] | null>(null);
  const listing = useAction();
  const running = useAction();
  const { run: runList } = listing;
  const boxRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open || macros !== null) {
      return;
    }
    void runList(() => macrosApi.list()).then((page) => page && setMacros(page.items.filter((m) => m.runnable)));
  }, [open, macros, runList]);

  // Closes on a click elsewhere, like any menu.
  useEffect(() => {
    if (!open) {
      return undefined;
    }
    const away = (event: MouseEvent) => {
      if (boxRef.current && !boxRef.current.contains(event.target as Node)) {
        setOpen(false);
      }
    };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [open]);

  async function runMacro(macro: Macro) {
    const result = await running.run(() => macrosApi.run(conversation.id, macro.id));
    if (result) {
      setOpen(false);
      onDone(result.conversation);
    }
  }

  return (
    <Can I="run" a="Macro">
      <div className="macro-menu" ref={boxRef} onKeyDown={(event) => event.key === 'Escape' && setOpen(false)}>
        <button
          type="button"
          className="button-secondary"
          aria-expanded={open}
          aria-controls={open ? 'macro-menu-list' : undefined}
          onClick={() => setOpen((value) => !value)}
          data-button="inbox.macros"
        >
          {t('inbox.macros.menu')}
        </button>
        {open && (
          <div className="macro-menu-panel" id="macro-menu-list">
            <ErrorAlert error={listing.error} />
            {macros === null ? (
              <p role="status" className="hint">{t('inbox.macros.loading')}</p>
            ) : macros.length === 0 ? (
              <p className="hint">{t('inbox.macros.none')}</p>
            ) : (
              <ul>
                {macros.map((m) => (
                  <li key={m.id}>
                    <button type="button" className="button-link" disabled={running.busy} onClick={() => void runMacro(m)} data-button="inbox.runMacro" data-macro={m.id}>
                      {m.name}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        <ErrorAlert error={running.error} />
      </div>
    </Can>
  );
}
