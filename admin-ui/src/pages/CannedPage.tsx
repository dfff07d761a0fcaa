import { useState } from 'react';
import type { FormEvent } from 'react';
import { rowSubject } from '../ability';
import { useSession } from '../auth';
import { cannedApi, type CannedResponse } from '../cannedApi';
import { Dialog } from '../components/Dialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormActions } from '../components/FormActions';
import { FormField } from '../components/FormField';
import { ListPage, RowAction } from '../components/ListPage';
import { useAction, useListLoad } from '../hooks';
import { useI18n } from '../i18n';
import { useFormErrors } from '../useFormErrors';

type Open = { kind: 'create' } | { kind: 'edit'; item: CannedResponse } | null;

/** Shared first, then the user's own, each by shortcut (as the server lists them). */
const ordered = (items: CannedResponse[]) => [...items].sort((a, b) => Number(a.ownerId !== null) - Number(b.ownerId !== null) || a.shortcut.localeCompare(b.shortcut));

/** `#/canned`: the user's own canned responses and the shared ones, typed as `/shortcut` in the inbox composer. */
export function CannedPage() {
  const { t } = useI18n();
  const [open, setOpen] = useState<Open>(null);
  const { items, setItems, loaded, list } = useListLoad<CannedResponse>(() => cannedApi.list());

  return (
    <ListPage<CannedResponse>
      title={t('canned.title')}
      intro={<p className="hint">{t('canned.intro')}</p>}
      create={{ can: ['create', 'CannedResponse'], button: 'canned.create', label: t('canned.create'), onClick: () => setOpen({ kind: 'create' }) }}
      tableId="canned-table"
      columns={[
        { key: 'shortcut', header: t('canned.shortcut'), cell: (r) => <code>/{r.shortcut}</code> },
        { key: 'title', header: t('canned.titleField'), cell: (r) => r.title },
        { key: 'scope', header: t('canned.scope'), cell: (r) => (r.shared ? t('canned.shared') : t('canned.personal')) },
        { key: 'body', header: t('canned.body'), cell: (r) => <span className="canned-body">{r.body}</span> },
      ]}
      rows={items}
      rowKey={(r) => r.id}
      rowAttributes={(r) => ({ 'data-id': r.id, 'data-shortcut': r.shortcut, 'data-scope': r.shared ? 'shared' : 'personal' })}
      rowName={(r) => `/${r.shortcut}`}
      rowActions={(r, { askDelete }) => (
        <>
          <RowAction can={['update', 'CannedResponse']} on={r} button="canned.edit" label={t('common.edit')} name={`/${r.shortcut}`} onClick={() => setOpen({ kind: 'edit', item: r })} />
          <RowAction can={['delete', 'CannedResponse']} on={r} button="canned.delete" label={t('common.delete')} name={`/${r.shortcut}`} onClick={askDelete} danger />
        </>
      )}
      loaded={loaded}
      busy={list.busy}
      error={list.error}
      empty={t('canned.empty')}
      deletion={{
        can: ['delete', 'CannedResponse'],
        button: 'canned.confirmDelete',
        title: t('canned.deleteTitle'),
        text: (r) => <p>{t('canned.deleteText', { shortcut: r.shortcut })}</p>,
        remove: (r) => cannedApi.remove(r.id),
        onRemoved: (r) => setItems((previous) => previous.filter((item) => item.id !== r.id)),
      }}
    >
      {open && (
        <CannedForm
          item={open.kind === 'edit' ? open.item : null}
          onClose={() => setOpen(null)}
          onSaved={(saved) => {
            setItems((previous) => ordered([...previous.filter((item) => item.id !== saved.id), saved]));
            setOpen(null);
          }}
        />
      )}
    </ListPage>
  );
}

function CannedForm({ item, onClose, onSaved }: { item: CannedResponse | null; onClose: () => void; onSaved: (item: CannedResponse) => void }) {
  const { t } = useI18n();
  const { ability } = useSession();
  // Offered only to those who may create shared responses (supervisors); agents write their own.
  const mayShare = ability.can('create', rowSubject('CannedResponse', { ownerId: null }));
  const [shared, setShared] = useState(false);
  const [shortcut, setShortcut] = useState(item?.shortcut ?? '');
  const [title, setTitle] = useState(item?.title ?? '');
  const [body, setBody] = useState(item?.body ?? '');
  const action = useAction();
  const errors = useFormErrors(action.error, { shortcut: t('canned.shortcut'), title: t('canned.titleField'), body: t('canned.body') });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = { shortcut: shortcut.trim().toLowerCase(), title: title.trim(), body: body.trim() };
    const result = await action.run(() => (item ? cannedApi.update(item.id, input) : cannedApi.create({ ...input, shared })));
    if (result) {
      onSaved(result.cannedResponse);
    }
  }

  return (
    <Dialog title={item ? t('canned.editTitle', { shortcut: item.shortcut }) : t('canned.createTitle')} onClose={onClose} id="canned-dialog">
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
        <FormField id="canned-shortcut" label={t('canned.shortcut')} hint={t('canned.shortcutHint')} error={errors.field('shortcut')}>
          {(describedBy, invalid) => (
            <input id="canned-shortcut" name="shortcut" required maxLength={32} pattern="[a-z0-9][a-z0-9_\-]*" autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={shortcut} onChange={(event) => setShortcut(event.target.value.toLowerCase())} />
          )}
        </FormField>
        <FormField id="canned-title" label={t('canned.titleField')} error={errors.field('title')}>
          {(describedBy, invalid) => (
            <input id="canned-title" name="title" required maxLength={100} autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={title} onChange={(event) => setTitle(event.target.value)} />
          )}
        </FormField>
        <FormField id="canned-body" label={t('canned.body')} hint={t('canned.variablesHint')} error={errors.field('body')}>
          {(describedBy, invalid) => (
            <textarea id="canned-body" name="body" required rows={5} maxLength={4000} aria-describedby={describedBy} aria-invalid={invalid} value={body} onChange={(event) => setBody(event.target.value)} />
          )}
        </FormField>
        {!item && mayShare && (
          <label className="checkbox" htmlFor="canned-shared">
            <input id="canned-shared" name="shared" type="checkbox" checked={shared} onChange={(event) => setShared(event.target.checked)} />
            {t('canned.shareWithEveryone')}
          </label>
        )}
        <ErrorAlert error={action.error} form={errors} />
        <FormActions
          onCancel={onClose}
          disabled={action.busy}
          can={item ? ['update', 'CannedResponse'] : ['create', 'CannedResponse']}
          button={item ? 'canned.submitEdit' : 'canned.submitCreate'}
          label={item ? t('common.save') : t('canned.create')}
        />
      </form>
    </Dialog>
  );
}
