import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useSession } from '../auth';
import { Can } from '../components/Can';
import { ContactDetailView } from '../components/contacts/ContactDetail';
import { LabelChip } from '../components/contacts/LabelPicker';
import { Dialog } from '../components/Dialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormActions } from '../components/FormActions';
import { FormField } from '../components/FormField';
import { ListPage, RowAction } from '../components/ListPage';
import { contactsApi, labelsApi } from '../contactsApi';
import type { Contact, Label } from '../contactsApi';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { formatWaId } from '../inbox';
import { navigate, useRouteArg } from '../router';
import { useFormErrors } from '../useFormErrors';

type Filters = { q: string; labelId: string };

/** `#/contacts`: the contacts list; `#/contacts/<id>`: one contact. */
export function ContactsPage() {
  const arg = useRouteArg();
  return arg ? <ContactDetailView id={arg} /> : <ContactList />;
}

/** A contact's name, else its number as the viewer may see it. */
export function contactTitle(c: Pick<Contact, 'profileName' | 'waId'>): string {
  return c.profileName?.trim() || formatWaId(c.waId);
}

function ContactList() {
  const { t } = useI18n();
  const { ability } = useSession();
  const [items, setItems] = useState<Contact[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [labels, setLabels] = useState<Label[]>([]);
  const [query, setQuery] = useState('');
  const [filters, setFilters] = useState<Filters>({ q: '', labelId: '' });
  const [creating, setCreating] = useState(false);
  const list = useAction();
  const { run: runList } = list;
  const canReadLabels = ability.can('read', 'Label');

  const load = useCallback(async (f: Filters, cursor: string | null) => {
    const page = await runList(() => contactsApi.list({ q: f.q, labelId: f.labelId, cursor }));
    if (page) {
      setItems((previous) => (cursor ? [...previous, ...page.items] : page.items));
      setNext(page.nextCursor);
      setLoaded(true);
    }
  }, [runList]);

  useEffect(() => {
    void load(filters, null);
  }, [filters, load]);

  useEffect(() => {
    if (canReadLabels) {
      void labelsApi.list().then((r) => setLabels(r.items), () => setLabels([]));
    }
  }, [canReadLabels]);

  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFilters((current) => ({ ...current, q: query.trim() }));
  }

  return (
    <ListPage<Contact>
      title={t('contacts.title')}
      intro={<p className="hint">{t('contacts.intro')}</p>}
      create={{ can: ['create', 'Contact'], button: 'contacts.create', label: t('contacts.create'), onClick: () => setCreating(true) }}
      toolbar={
        <div className="toolbar">
          <form role="search" className="toolbar-search" onSubmit={search}>
            <label htmlFor="contacts-search">{t('contacts.search')}</label>
            <input id="contacts-search" name="q" type="search" value={query} onChange={(event) => setQuery(event.target.value)} />
            <button type="submit" className="button-secondary" data-button="contacts.search">
              {t('common.search')}
            </button>
          </form>
          {canReadLabels && (
            <div className="toolbar-filter">
              <label htmlFor="contacts-label">{t('contacts.label')}</label>
              <select id="contacts-label" value={filters.labelId} onChange={(event) => setFilters((current) => ({ ...current, labelId: event.target.value }))} data-button="contacts.filterLabel">
                <option value="">{t('contacts.anyLabel')}</option>
                {labels.map((l) => (
                  <option key={l.id} value={l.id}>{l.name}</option>
                ))}
              </select>
            </div>
          )}
        </div>
      }
      tableId="contacts-table"
      columns={[
        { key: 'name', header: t('contacts.name'), cell: (c) => c.profileName ?? '—' },
        { key: 'phone', header: t('contacts.phone'), cell: (c) => <span className={c.phoneMasked ? 'phone masked' : 'phone'} data-phone={c.waId}>{formatWaId(c.waId)}</span> },
        { key: 'country', header: t('contacts.country'), cell: (c) => c.country ?? '—' },
        { key: 'labels', header: t('contacts.labels'), cell: (c) => <span className="label-chips">{(c.labels ?? []).map((l) => <LabelChip key={l.id} label={l} />)}</span> },
        { key: 'consent', header: t('contacts.consent'), cell: (c) => (c.optState ? t(`contacts.opt.${c.optState}`) : '—') },
      ]}
      rows={items}
      rowKey={(c) => c.id}
      rowAttributes={(c) => ({ 'data-id': c.id })}
      rowName={contactTitle}
      rowActions={(c) => (
        <RowAction can={['read', 'Contact']} button="contacts.open" label={t('contacts.open')} name={contactTitle(c)} onClick={() => navigate('contacts', { arg: c.id })} />
      )}
      loaded={loaded}
      busy={list.busy}
      error={list.error}
      empty={t('contacts.empty')}
      footer={
        next ? (
          <Can I="read" a="Contact">
            <button type="button" className="button-secondary" disabled={list.busy} onClick={() => void load(filters, next)} data-button="contacts.loadMore">
              {t('common.loadMore')}
            </button>
          </Can>
        ) : null
      }
    >
      {creating && <CreateContactDialog onClose={() => setCreating(false)} onCreated={(c) => navigate('contacts', { arg: c.id })} />}
    </ListPage>
  );
}

function CreateContactDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (c: Contact) => void }) {
  const { t } = useI18n();
  const [phone, setPhone] = useState('');
  const [name, setName] = useState('');
  const action = useAction();
  const errors = useFormErrors(action.error, { phone: t('contacts.phone'), profileName: t('contacts.name') });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await action.run(() => contactsApi.create({ phone: phone.trim(), ...(name.trim() ? { profileName: name.trim() } : {}) }));
    if (result) {
      onCreated(result.contact);
    }
  }

  return (
    <Dialog title={t('contacts.createTitle')} onClose={onClose} id="contact-dialog">
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
        <FormField id="contact-phone" label={t('contacts.phone')} hint={t('contacts.phoneHint')} error={errors.field('phone')}>
          {(describedBy, invalid) => (
            <input id="contact-phone" name="phone" type="tel" required autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={phone} onChange={(event) => setPhone(event.target.value)} />
          )}
        </FormField>
        <FormField id="contact-name" label={t('contacts.name')} error={errors.field('profileName')}>
          {(describedBy, invalid) => (
            <input id="contact-name" name="profileName" autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={name} onChange={(event) => setName(event.target.value)} />
          )}
        </FormField>
        <ErrorAlert error={action.error} form={errors} />
        <FormActions onCancel={onClose} disabled={action.busy} can={['create', 'Contact']} button="contacts.submitCreate" label={t('contacts.create')} />
      </form>
    </Dialog>
  );
}
