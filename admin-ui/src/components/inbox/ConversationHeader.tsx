import type { Ref } from 'react';
import { useFormats } from '../../format';
import { useI18n } from '../../i18n';
import { contactName, conversationSubject, formatWaId } from '../../inbox';
import type { ConversationSummary } from '../../types';
import { Can } from '../Can';
import { CONVERSATION_STATUS_LABELS } from './labels';

/** The back button of the conversation pane (the list is the only other pane on a phone). */
export function BackButton({ onBack }: { onBack: () => void }) {
  const { t } = useI18n();
  return (
    <button type="button" className="button-secondary inbox-back" onClick={onBack} data-ui="inbox.back">
      <span aria-hidden="true">←</span> {t('inbox.back')}
    </button>
  );
}

interface ConversationHeaderProps {
  conversation: ConversationSummary;
  windowOpen: boolean;
  headingRef: Ref<HTMLHeadingElement>;
  onBack: () => void;
  /** Claim, assign, transfer, pending, resolve or reopen; gated by their permissions on this conversation. */
  actions: Omit<ConversationActionsProps, 'conversation'>;
}

/** Who the conversation is with, through which number, its status, assignee and 24-hour window. */
export function ConversationHeader({ conversation, windowOpen, headingRef, onBack, actions }: ConversationHeaderProps) {
  const { t } = useI18n();
  const formats = useFormats();
  const name = contactName(conversation);
  const number = formatWaId(conversation.contact.waId);
  const country = formats.region(conversation.contact.country);
  return (
    <header className="conversation-header">
      <BackButton onBack={onBack} />
      <div className="conversation-title">
        <h2 id="conversation-title" ref={headingRef} tabIndex={-1}>
          {name}
        </h2>
        <p className="conversation-subtitle">
          {number && name !== number && <span className="contact-number">{number}</span>}
          {country && <span className="contact-country">{country}</span>}
          <span className="conversation-channel">
            {t('inbox.via', { channel: conversation.channel.name, number: conversation.channel.displayNumber })}
          </span>
        </p>
        <p className="conversation-facts">
          <span className={`badge badge-conversation-${conversation.status}`} id="conversation-status">
            {t(CONVERSATION_STATUS_LABELS[conversation.status] ?? 'inbox.conversationStatus.open')}
          </span>
          {conversation.contact.restricted && (
            <span className="badge badge-locked" id="conversation-restricted" title={t('gdpr.restrictedHint')}>
              {t('gdpr.restricted')}
            </span>
          )}
          <span className="conversation-assignee" id="conversation-assignee">
            {conversation.assignee ? t('inbox.assignedTo', { name: conversation.assignee.name ?? '' }) : t('inbox.unassigned')}
          </span>
          <span className={windowOpen ? 'window window-open' : 'window window-closed'} id="conversation-window">
            {windowOpen && conversation.windowExpiresAt
              ? t('inbox.windowOpenUntil', { time: formats.timeOrDay(conversation.windowExpiresAt) })
              : t('inbox.windowClosed')}
          </span>
        </p>
      </div>
      <ConversationActions conversation={conversation} {...actions} />
    </header>
  );
}

export type StatusAction = 'resolve' | 'reopen' | 'pending';

interface ConversationActionsProps {
  conversation: ConversationSummary;
  busy: boolean;
  onClaim: () => void;
  onAssign: () => void;
  onTransfer: () => void;
  onStatus: (kind: StatusAction) => void;
}

/**
 * The conversation's buttons, each inside its `<Can>` checked against this conversation's fields
 * (an agent's Resolve needs the conversation to be theirs; Claim needs it to be unassigned).
 */
function ConversationActions({ conversation, busy, onClaim, onAssign, onTransfer, onStatus }: ConversationActionsProps) {
  const { t } = useI18n();
  const row = conversationSubject(conversation);
  const status = conversation.status;
  return (
    <div className="conversation-actions">
      {!conversation.assignee && (
        <Can I="claim" this={row}>
          <button type="button" className="button-primary" onClick={onClaim} disabled={busy} data-button="inbox.claim">
            {t('inbox.claim')}
          </button>
        </Can>
      )}
      <Can I="assign" this={row}>
        <button type="button" className="button-secondary" onClick={onAssign} data-button="inbox.assign">
          {t('inbox.assign')}
        </button>
      </Can>
      <Can I="transfer" this={row}>
        <button type="button" className="button-secondary" onClick={onTransfer} data-button="inbox.transfer">
          {t('inbox.transfer')}
        </button>
      </Can>
      <Can I="resolve" this={row}>
        {status === 'open' && (
          <button type="button" className="button-secondary" onClick={() => onStatus('pending')} disabled={busy} data-button="inbox.pending" title={t('inbox.pendingHint')}>
            {t('inbox.pending')}
          </button>
        )}
        {status === 'resolved' ? (
          <button type="button" className="button-secondary" onClick={() => onStatus('reopen')} disabled={busy} data-button="inbox.reopen">
            {t('inbox.reopen')}
          </button>
        ) : (
          <button type="button" className="button-primary" onClick={() => onStatus('resolve')} disabled={busy} data-button="inbox.resolve">
            {t('inbox.resolve')}
          </button>
        )}
      </Can>
    </div>
  );
}
