import { useCallback, useEffect, useState } from 'react';
import { auditSentence } from '../../auditSentence';
import type { AuditNames } from '../../auditSentence';
import { reviewApi } from '../../endpoints';
import { useFormats } from '../../format';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import type { AuditEvent, ConversationHistory, Message, ReviewConversation } from '../../types';
import { Can } from '../Can';
import { ErrorAlert } from '../ErrorAlert';
import { ListStatus } from '../ListParts';
import { PageTitle } from '../PageTitle';
import { ReviewMessage } from './ReviewMessage';

/**
 * One conversation under review: its transcript (read-only: no composer, no assignment or status
 * buttons) beside its history. Opening it is audited by the server (conversation.reviewed).
 */
export function ReviewConversationView({ conversationId, onBack }: { conversationId: string; onBack: () => void }) {
  const { t } = useI18n();
  const f = useFormats();
  const [conversation, setConversation] = useState<ReviewConversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [nextBefore, setNextBefore] = useState<string | null>(null);
  const [history, setHistory] = useState<{ items: AuditEvent[]; names: AuditNames; nextAfterSeq: number | null } | null>(null);
  const opening = useAction();
  const older = useAction();
  const later = useAction();
  const { run: runOpen } = opening;

  useEffect(() => {
    let live = true;
    setConversation(null);
    setMessages([]);
    setHistory(null);
    void runOpen(async () => {
      // The conversation first: its reading is what the audit trail records, then its parts.
      const opened = await reviewApi.get(conversationId);
      const [page, events] = await Promise.all([reviewApi.messages(conversationId, null), reviewApi.history(conversationId, null)]);
      if (live) {
        setConversation(opened.conversation);
        setMessages(page.items);
        setNextBefore(page.nextBefore);
        setHistory(events);
      }
    });
    return () => {
      live = false;
    };
  }, [conversationId, runOpen]);

  const loadOlder = useCallback(async () => {
    const page = await older.run(() => reviewApi.messages(conversationId, nextBefore));
    if (page) {
      setMessages((previous) => [...page.items, ...previous]);
      setNextBefore(page.nextBefore);
    }
  }, [older, conversationId, nextBefore]);

  const loadLater = useCallback(async () => {
    const page: ConversationHistory | undefined = await later.run(() => reviewApi.history(conversationId, history?.nextAfterSeq ?? null));
    if (page) {
      setHistory((previous) => ({
        items: [...(previous?.items ?? []), ...page.items],
        names: { ...previous?.names, ...page.names },
        nextAfterSeq: page.nextAfterSeq,
      }));
    }
  }, [later, conversationId, history]);

  const contactName = conversation ? conversation.contact.profileName || `+${conversation.contact.waId}` : '';

  return (
    <section className="review-conversation" data-conversation-id={conversationId}>
      <p className="review-back">
        <Can I="read" a="ConversationReview">
          <button type="button" className="button-link" data-button="review.back" onClick={onBack}>
            ← {t('review.back')}
          </button>
        </Can>
      </p>
      <PageTitle title={conversation ? t('review.conversationTitle', { name: contactName }) : t('review.title')}>
        {conversation && (
          <p className="review-meta">
            +{conversation.contact.waId} · {conversation.channel.name} ({conversation.channel.displayNumber}) ·{' '}
            {conversation.assignee?.name ?? t('inbox.unassigned')} · <span className="badge">{t(`inbox.conversationStatus.${conversation.status}`)}</span> ·{' '}
            {t('review.started')} {f.dateTimeZone(conversation.createdAt)}
          </p>
        )}
        <p className="hint" id="review-read-only">{t('review.readOnly')}</p>
      </PageTitle>
      <ErrorAlert error={opening.error} />
      <ListStatus busy={opening.busy} />
      {conversation && (
        <div className="review-panes">
          <section className="review-transcript" aria-labelledby="review-transcript-title">
            <h2 id="review-transcript-title">{t('review.transcript')}</h2>
            {nextBefore && (
              <Can I="read" a="ConversationReview">
                <button type="button" className="button-secondary" data-button="review.loadOlder" disabled={older.busy} onClick={() => void loadOlder()}>
                  {t('review.loadOlder')}
                </button>
              </Can>
            )}
            <ErrorAlert error={older.error} />
            {messages.length === 0 ? (
              <p className="muted">{t('review.noMessages')}</p>
            ) : (
              <ol className="review-messages" id="review-messages">
                {messages.map((m) => <ReviewMessage key={m.id} message={m} contactName={contactName} />)}
              </ol>
            )}
          </section>
          <aside className="review-history" aria-labelledby="review-history-title">
            <h2 id="review-history-title">{t('review.history')}</h2>
            {history && history.items.length === 0 && <p className="muted">{t('review.noHistory')}</p>}
            {history && <HistoryTimeline events={history.items} names={history.names} />}
            <ErrorAlert error={later.error} />
            {history && history.nextAfterSeq !== null && (
              <Can I="read" a="ConversationReview">
                <button type="button" className="button-secondary" data-button="review.loadHistory" disabled={later.busy} onClick={() => void loadLater()}>
                  {t('review.loadHistory')}
                </button>
              </Can>
            )}
          </aside>
        </div>
      )}
    </section>
  );
}

/** The conversation's audit events, oldest first, each told as a sentence with its time. */
function HistoryTimeline({ events, names }: { events: AuditEvent[]; names: AuditNames }) {
  const { tMaybe } = useI18n();
  const f = useFormats();
  return (
    <ol className="review-timeline" id="review-timeline">
      {events.map((event) => (
        <li key={event.seq} data-action={event.action} data-seq={event.seq}>
          <time dateTime={event.at}>{f.dateTimeZone(event.at)}</time>
          <span className="review-timeline-sentence">{auditSentence(event, names, tMaybe)}</span>
        </li>
      ))}
    </ol>
  );
}
