import { useEffect, useRef, useState } from 'react';
import { useSession } from '../../auth';
import { macrosApi, type Macro } from '../../cannedApi';
import { contactsApi } from '../../contactsApi';
import { teamsApi } from '../../endpoints';
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

/** What a run left on the conversation, read back from the server: the contact's labels and the team. */
type Outcome = { name: string; labels: string[] | null; team: string | null };

/**
 * The conversation's Macros button: lists the macros the user may run and runs one in a click.
 * The server runs every step or none, each as its own button would (a step the user may not do
 * refuses the whole macro), so the menu offers every runnable macro and shows a refusal as is.
 */
export function MacroMenu({ conversation, onDone }: MacroMenuProps) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const { ability } = useSession();
  const [macros, setMacros] = useState<Macro[] | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
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
    if (!result) {
      return;
    }
    setOpen(false);
    onDone(result.conversation);
    const teamId = result.conversation?.teamId ?? null;
    // Read back, for those who may read them: the labels and the team as they are now.
    const [labels, team] = await Promise.all([
      ability.can('read', 'Contact') ? contactsApi.get(conversation.contact.id).then((d) => (d.contact.labels ?? []).map((l) => l.name)).catch(() => null) : null,
      teamId && ability.can('read', 'Team') ? teamsApi.list().then((page) => page.items.find((item) => item.id === teamId)?.name ?? null).catch(() => null) : null,
    ]);
    setOutcome({ name: macro.name, labels, team });
  }

  // A run's outcome belongs to the conversation it ran on.
  useEffect(() => {
    setOutcome(null);
  }, [conversation.id]);

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
        {outcome && (
          <p role="status" className="hint macro-outcome" id="macro-outcome">
            {t('inbox.macros.done', { name: outcome.name })}
            {outcome.labels && <span data-fact="labels"> {t('inbox.macros.labels', { labels: outcome.labels.join(', ') || '—' })}</span>}
            {outcome.team && <span data-fact="team"> {t('inbox.macros.team', { team: outcome.team })}</span>}
          </p>
        )}
      </div>
    </Can>
  );
}
