import { useState } from 'react';
import type { FormEvent } from 'react';
import { Dialog } from '../components/Dialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormActions } from '../components/FormActions';
import { FormField } from '../components/FormField';
import { HoldForm } from '../components/HoldForm';
import { ListPage, RowAction } from '../components/ListPage';
import { holdsApi } from '../endpoints';
import { fieldError } from '../errors';
import { useFormats } from '../format';
import { useAction, useListLoad } from '../hooks';
import { useI18n } from '../i18n';
import type { LegalHold } from '../types';

/** `#/legal-holds`: holds with what they cover; place one (case reference, reason, scope), release one. */
export function LegalHoldsPage() {
  const { t } = useI18n();
  const f = useFormats();
  const [creating, setCreating] = useState(false);
  const [releasing, setReleasing] = useState<LegalHold | null>(null);
  const { items, setItems, loaded, list } = useListLoad<LegalHold>(() => holdsApi.list());

  const replace = (hold: LegalHold) => setItems((previous) => [hold, ...previous.filter((h) => h.id !== hold.id)]);

  return (
    <ListPage<LegalHold>
      title={t('holds.title')}
      intro={<p>{t('holds.intro')}</p>}
      create={{ can: ['create', 'LegalHold'], button: 'holds.create', label: t('holds.create'), onClick: () => setCreating(true) }}
      tableId="holds-table"
      columns={[
        { key: 'case', header: t('holds.caseRef'), cell: (h) => <strong>{h.caseRef}</strong> },
        { key: 'reason', header: t('holds.reason'), cell: (h) => h.reason },
        { key: 'covers', header: t('holds.covers'), cell: (h) => <Coverage hold={h} /> },
        { key: 'messages', header: t('holds.coveredMessages'), numeric: true, cell: (h) => h.coveredMessages },
        { key: 'placed', header: t('holds.placed'), cell: (h) => t('holds.by', { at: f.dateTimeZone(h.createdAt), by: h.createdBy ?? '—' }) },
        {
          key: 'state', header: t('holds.state'),
          cell: (h) =>
            h.releasedAt ? (
              <span className="badge">{t('holds.released', { at: f.dateTimeZone(h.releasedAt), by: h.releasedBy ?? '—' })}</span>
            ) : (
              <span className="badge badge-locked">{t('holds.active')}</span>
            ),
        },
      ]}
      rows={items}
      rowKey={(h) => h.id}
      rowAttributes={(h) => ({ 'data-id': h.id, 'data-case': h.caseRef, 'data-state': h.releasedAt ? 'released' : 'active' })}
      rowActions={(h) =>
        h.releasedAt ? null : (
          <RowAction can={['release', 'LegalHold']} button="holds.release" label={t('holds.release')} name={h.caseRef} onClick={() => setReleasing(h)} danger />
        )
      }
      loaded={loaded}
      busy={list.busy}
      error={list.error}
      empty={t('holds.empty')}
    >
      {creating && (
        <HoldForm
          onClose={() => setCreating(false)}
          onSaved={(hold) => {
            replace(hold);
            setCreating(false);
          }}
        />
      )}
      {releasing && (
        <ReleaseDialog
          hold={releasing}
          onClose={() => setReleasing(null)}
          onReleased={(hold) => {
            setItems((previous) => previous.map((h) => (h.id === hold.id ? hold : h)));
            setReleasing(null);
          }}
        />
      )}
    </ListPage>
  );
}

/** What a hold covers, one line per criterion it names. */
function Coverage({ hold }: { hold: LegalHold }) {
  const { t } = useI18n();
  const f = useFormats();
  const s = hold.scope;
  const names = (list: Array<{ label: string }>) => list.map((x) => x.label).join(', ');
  const lines = [
    s.contacts.length > 0 && t('holds.scopeContacts', { list: names(s.contacts) }),
    s.conversations.length > 0 && t('holds.scopeConversations', { list: names(s.conversations) }),
    s.channels.length > 0 && t('holds.scopeNumbers', { list: names(s.channels) }),
    s.agents.length > 0 && t('holds.scopeAgents', { list: names(s.agents) }),
    (s.from || s.to) && t('holds.scopeRange', { from: s.from ? f.dateTimeZone(s.from) : '…', to: s.to ? f.dateTimeZone(s.to) : '…' }),
    s.query && t('holds.scopeQuery', { query: s.query }),
  ].filter((line): line is string => typeof line === 'string');
  return (
    <ul className="plain-list">
      {lines.map((line) => <li key={line}>{line}</li>)}
    </ul>
  );
}

/** Releasing asks why, and says what happens to what the hold covered. */
function ReleaseDialog({ hold, onClose, onReleased }: { hold: LegalHold; onClose: () => void; onReleased: (hold: LegalHold) => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const action = useAction();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await action.run(() => holdsApi.release(hold.id, reason.trim()));
    if (result) {
      onReleased(result.hold);
    }
  }

  return (
    <Dialog title={t('holds.releaseTitle', { caseRef: hold.caseRef })} onClose={onClose} id="release-dialog">
      <form onSubmit={(event) => void submit(event)}>
        <p>{t('holds.releaseText', { count: hold.coveredMessages })}</p>
        <FormField id="release-reason" label={t('holds.releaseReason')} error={fieldError(action.error, 'reason')}>
          {(describedBy, invalid) => (
            <textarea id="release-reason" name="reason" rows={3} required aria-describedby={describedBy} aria-invalid={invalid} value={reason} onChange={(e) => setReason(e.target.value)} />
          )}
        </FormField>
        <ErrorAlert error={action.error} />
        <FormActions onCancel={onClose} disabled={action.busy} can={['release', 'LegalHold']} button="holds.confirmRelease" label={t('holds.release')} />
      </form>
    </Dialog>
  );
}
