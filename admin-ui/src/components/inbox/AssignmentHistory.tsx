import { useEffect, useState } from 'react';
import { auditSentence, type AuditNames } from '../../auditSentence';
import { routingApi } from '../../endpoints';
import { useI18n } from '../../i18n';
import type { AuditEvent } from '../../types';
import { useFormats } from '../../format';

/**
 * Who held the conversation, and who or what changed it and why (the router, a supervisor, an
 * agent's claim), oldest first, read from the audit log when opened and whenever the assignee
 * changes. The customer is named as the panel already shows them.
 */
export function AssignmentHistory({ conversationId, assigneeId, customer }: { conversationId: string; assigneeId: string | null; customer: string }) {
  const { t, tMaybe } = useI18n();
  const f = useFormats();
  const [open, setOpen] = useState(false);
  const [events, setEvents] = useState<{ items: AuditEvent[]; names: AuditNames } | null>(null);

  useEffect(() => {
    if (!open) {
      return undefined;
    }
    let live = true;
    routingApi
      .assignments(conversationId)
      .then((page) => live && setEvents({ items: page.items as AuditEvent[], names: { ...page.names, [`Conversation:${conversationId.toLowerCase()}`]: customer } }))
      .catch(() => live && setEvents({ items: [], names: {} }));
    return () => {
      live = false;
    };
  }, [open, conversationId, assigneeId, customer]);

  return (
    <details className="assignment-history" id="assignment-history" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>{t('routing.history')}</summary>
      {events && events.items.length === 0 && <p>{t('routing.historyEmpty')}</p>}
      {events && events.items.length > 0 && (
        <ol>
          {events.items.map((event) => (
            <li key={event.seq} data-action={event.action} data-reason={typeof event.details.reason === 'string' ? event.details.reason : undefined}>
              <time dateTime={event.at}>{f.dateTimeZone(event.at)}</time> {auditSentence(event, events.names, tMaybe)}
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}
