import { useState } from 'react';
import type { FormEvent } from 'react';
import { contactsApi } from '../../contactsApi';
import type { Contact } from '../../contactsApi';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { formatWaId } from '../../inbox';
import { Can } from '../Can';
import { Dialog } from '../Dialog';
import { ErrorAlert } from '../ErrorAlert';

const name = (c: Pick<Contact, 'profileName' | 'waId'>) => c.profileName?.trim() || formatWaId(c.waId);

/** Finds a duplicate and folds it into this contact (kept, with its number), after saying what moves. */
export function MergeDialog({ contact, onClose, onMerged }: { contact: Contact; onClose: () => void; onMerged: () => void }) {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Contact[] | null>(null);
  const [other, setOther] = useState<Contact | null>(null);
  const searching = useAction();
  const merging = useAction();

  async function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const page = await searching.run(() => contactsApi.list({ q: query.trim() }));
    if (page) {
      setFound(page.items.filter((c) => c.id !== contact.id));
      setOther(null);
    }
  }

  async function merge() {
    if (!other) {
      return;
    }
    const result = await merging.run(() => contactsApi.merge(contact.id, other.id));
    if (result) {
      onMerged();
    }
  }

  return (
    <Dialog title={t('contacts.mergeTitle', { name: name(contact) })} onClose={onClose} id="merge-dialog">
      <p className="hint">{t('contacts.mergeIntro')}</p>
      <form role="search" onSubmit={(event) => void search(event)} className="toolbar-search">
        <label htmlFor="merge-search">{t('contacts.mergeFind')}</label>
        <input id="merge-search" type="search" value={query} onChange={(event) => setQuery(event.target.value)} />
        <button type="submit" className="button-secondary" disabled={searching.busy} data-ui="contacts.mergeSearch">{t('common.search')}</button>
      </form>
      <ErrorAlert error={searching.error} />
      {found && found.length === 0 && <p>{t('contacts.empty')}</p>}
      {found && found.length > 0 && (
        <fieldset className="merge-choices">
          <legend>{t('contacts.mergeChoose')}</legend>
          {found.map((c) => (
            <label key={c.id} className="merge-choice">
              <input type="radio" name="merge-other" value={c.id} checked={other?.id === c.id} onChange={() => setOther(c)} data-ui="contacts.mergePick" />
              {name(c)} <span className="hint">{formatWaId(c.waId)}</span>
            </label>
          ))}
        </fieldset>
      )}
      {other && <p className="merge-summary">{t('contacts.mergeSummary', { other: name(other), kept: name(contact), phone: formatWaId(contact.waId) })}</p>}
      <ErrorAlert error={merging.error} />
      <div className="form-actions">
        <button type="button" className="button-secondary" onClick={onClose} data-ui="dialog.cancel">{t('common.cancel')}</button>
        <Can I="merge" a="Contact">
          <button type="button" className="button-primary danger" disabled={!other || merging.busy} onClick={() => void merge()} data-button="contacts.confirmMerge">
            {t('contacts.confirmMerge')}
          </button>
        </Can>
      </div>
    </Dialog>
  );
}
