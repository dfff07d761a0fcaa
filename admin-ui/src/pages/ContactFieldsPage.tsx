import { useState } from 'react';
import type { FormEvent } from 'react';
import { useSession } from '../auth';
import { AttributesSection } from '../components/contacts/AttributesSection';
import { LabelChip } from '../components/contacts/LabelPicker';
import { OptOutWords } from '../components/contacts/OptOutWords';
import { Dialog } from '../components/Dialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormActions } from '../components/FormActions';
import { FormField } from '../components/FormField';
import { ListPage, RowAction } from '../components/ListPage';
import { labelsApi } from '../contactsApi';
import type { Label } from '../contactsApi';
import { useAction, useListLoad } from '../hooks';
import { useI18n } from '../i18n';
import { useFormErrors } from '../useFormErrors';

type Open = { kind: 'create' } | { kind: 'edit'; label: Label } | null;

/** `#/contact-fields`: the labels and custom attributes contacts carry, defined by admins. */
export function ContactFieldsPage() {
  const { t } = useI18n();
  const { ability } = useSession();
  const { items, setItems, loaded, list, load } = useListLoad(() => labelsApi.list());
  const [open, setOpen] = useState<Open>(null);

  return (
    <>
      <ListPage<Label>
        title={t('contactFields.title')}
        intro={<p className="hint">{t('contactFields.intro')}</p>}
        create={{ can: ['create', 'Label'], button: 'labels.create', label: t('contactFields.createLabel'), onClick: () => setOpen({ kind: 'create' }) }}
        tableId="labels-table"
        caption={t('contactFields.labels')}
        columns={[
          { key: 'name', header: t('contactFields.labelName'), cell: (l) => <LabelChip label={l} /> },
          { key: 'color', header: t('contactFields.color'), cell: (l) => <code>{l.color}</code> },
        ]}
        rows={items}
        rowKey={(l) => l.id}
        rowAttributes={(l) => ({ 'data-id': l.id, 'data-name': l.name })}
        rowName={(l) => l.name}
        rowActions={(l, { askDelete }) => (
          <>
            <RowAction can={['update', 'Label']} button="labels.edit" label={t('common.edit')} name={l.name} onClick={() => setOpen({ kind: 'edit', label: l })} />
            <RowAction can={['delete', 'Label']} button="labels.delete" label={t('common.delete')} name={l.name} onClick={askDelete} danger />
          </>
        )}
        loaded={loaded}
        busy={list.busy}
        error={list.error}
        empty={t('contactFields.noLabels')}
        deletion={{
          can: ['delete', 'Label'],
          button: 'labels.confirmDelete',
          title: t('contactFields.deleteLabelTitle'),
          text: (l) => <p>{t('contactFields.deleteLabelText', { name: l.name })}</p>,
          remove: (l) => labelsApi.remove(l.id),
          onRemoved: (l) => setItems((previous) => previous.filter((item) => item.id !== l.id)),
        }}
      >
        {open && (
          <LabelForm
            label={open.kind === 'edit' ? open.label : null}
            onClose={() => setOpen(null)}
            onSaved={() => {
              setOpen(null);
              void load();
            }}
          />
        )}
      </ListPage>
      {ability.can('read', 'ContactAttribute') && <AttributesSection />}
      {ability.can('read', 'Setting') && <OptOutWords />}
    </>
  );
}

function LabelForm({ label, onClose, onSaved }: { label: Label | null; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(label?.name ?? '');
  const [color, setColor] = useState(label?.color ?? '#6b7280');
  const action = useAction();
  const errors = useFormErrors(action.error, { name: t('contactFields.labelName'), color: t('contactFields.color') });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = { name: name.trim(), color };
    const result = await action.run(() => (label ? labelsApi.update(label.id, input) : labelsApi.create(input)));
    if (result) {
      onSaved();
    }
  }

  return (
    <Dialog title={label ? t('contactFields.editLabel', { name: label.name }) : t('contactFields.createLabel')} onClose={onClose} id="label-dialog">
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
        <FormField id="label-name" label={t('contactFields.labelName')} error={errors.field('name')}>
          {(describedBy, invalid) => (
            <input id="label-name" name="name" required maxLength={60} autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={name} onChange={(event) => setName(event.target.value)} />
          )}
        </FormField>
        <FormField id="label-color" label={t('contactFields.color')} error={errors.field('color')}>
          {(describedBy, invalid) => (
            <input id="label-color" name="color" type="color" aria-describedby={describedBy} aria-invalid={invalid} value={color} onChange={(event) => setColor(event.target.value)} />
          )}
        </FormField>
        <ErrorAlert error={action.error} form={errors} />
        <FormActions
          onCancel={onClose}
          disabled={action.busy}
          can={label ? ['update', 'Label'] : ['create', 'Label']}
          button={label ? 'labels.submitEdit' : 'labels.submitCreate'}
          label={label ? t('common.save') : t('contactFields.createLabel')}
        />
      </form>
    </Dialog>
  );
}
