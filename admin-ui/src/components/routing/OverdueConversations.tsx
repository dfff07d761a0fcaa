import { useCallback, useEffect, useRef, useState } from 'react';
import { inBackground } from '../../api';
import { useSession } from '../../auth';
import { conversationsApi } from '../../endpoints';
import { subscribeServerEvents } from '../../events';
import { useFormats } from '../../format';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { contactName, formatWaId } from '../../inbox';
import { hrefWithArg } from '../../router';
import type { ConversationSummary } from '../../types';
import { ErrorAlert } from '../ErrorAlert';

// Live changes on a busy floor come many a second: the list is read again at most this often.
const RELOAD_MS = 2_000;
// Conversations cross the target with no event (the sweeper alerts at its own pace): a steady re-read.
const REFRESH_MS = 30_000;

/**
 * For supervisors (who may assign conversations): the customers left waiting past the
 * first-response target, longest first, live. The router alerts (`routing.overdue`) when it
 * offers one to another agent or finds nobody to take it; a reply takes it off the list.
 */
export function OverdueConversations() {
  const { t } = useI18n();
  const fmt = useFormats();
  const { ability } = useSession();
  const watches = ability.can('assign', 'Conversation') && ability.can('read', 'Conversation');
  const [items, setItems] = useState<ConversationSummary[] | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const action = useAction();
  const { run } = action;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(async () => {
    // The panel reads it by itself: not the user's activity (an unattended tab still times out).
    const page = await run(() => inBackground(() => conversationsApi.list({ view: 'all', overdue: 'true' })));
    if (page) {
      setItems([...page.items].sort((a, b) => (a.waitingSince ?? '').localeCompare(b.waitingSince ?? '')));
      setNow(Date.now());
    }
  }, [run]);

  useEffect(() => {
    if (!watches) {
      return undefined;
    }
    void load();
    const soon = () => {
      timer.current ??= setTimeout(() => {
        timer.current = null;
        void load();
      }, RELOAD_MS);
    };
    const unsubscribe = subscribeServerEvents((event) => {
      if (event.type === 'routing.overdue' || event.type === 'reconnected') {
        void load();
      } else if (event.type === 'conversation.updated' || (event.type === 'message.created' && event.message.direction === 'out')) {
        soon();
      }
    });
    const steady = setInterval(() => void load(), REFRESH_MS);
    return () => {
      unsubscribe();
      clearInterval(steady);
      if (timer.current) {
        clearTimeout(timer.current);
        timer.current = null;
      }
    };
  }, [watches, load]);

  if (!watches) {
    return null;
  }
  const minutes = (since: string | null) => (since ? Math.max(0, Math.floor((now - Date.parse(since)) / 60_000)) : 0);
  return (
    <section className="card" id="overdue" aria-labelledby="overdue-title" data-count={items?.length ?? ''}>
      <h2 id="overdue-title">{t('availability.overdueTitle')}</h2>
      <p className="hint">{t('availability.overdueIntro')}</p>
      <ErrorAlert error={action.error} />
      {items !== null && items.length === 0 && <p id="overdue-empty">{t('availability.overdueNone')}</p>}
      {items !== null && items.length > 0 && (
        // A list rather than a table: each customer stays whole on a phone.
        <ul className="plain-list overdue-list" id="overdue-list">
          {items.map((c) => (
            <li key={c.id} data-conversation-id={c.id} data-assignee={c.assignee?.id ?? ''}>
              <a href={hrefWithArg('inbox', c.id)} data-button="availability.openOverdue">{contactName(c)}</a>{' '}
              <span className="muted">{formatWaId(c.contact.waId)}</span>
              <br />
              <span>{c.assignee ? t('availability.assignedTo', { name: c.assignee.name ?? '' }) : t('availability.notAssigned')}</span>
              {c.waitingSince && (
                <>
                  {' · '}
                  <time dateTime={c.waitingSince} title={fmt.dateTime(c.waitingSince)}>
                    {t('availability.waitedFor', { minutes: minutes(c.waitingSince), since: fmt.timeOrDay(c.waitingSince) })}
                  </time>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
