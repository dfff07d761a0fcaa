import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { attributesApi } from '../../contactsApi';
import type { AttributeDefinition, AttributeType } from '../../contactsApi';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { useFormErrors } from '../../useFormErrors';
import { Can } from '../Can';
import { ConfirmDialog } from '../ConfirmDialog';
import { Dialog } from '../Dialog';
import { ErrorAlert } from '../ErrorAlert';
import { FormActions } from '../FormActions';
import { FormField } from '../FormField';
import { RowAction } from '../ListPage';

const TYPES: AttributeType[] = ['text', 'number', 'date', 'boolean', 'choice'];

type Open = { kind: 'create' } | { kind: 'edit'; attribute: AttributeDefinition } | { kind: 'delete'; attribute: AttributeDefinition } | null;

/** The custom attributes contacts may carry: key, name, type (and a choice's options). */
export function AttributesSection() {
  const { t } = useI18n();
  const [items, setItems] = useState<AttributeDefinition[]>([]);
  const [open, setOpen] = useState<Open>(null);
  const list = useAction();
  const removal = useAction();
  const { run } = list;

  const load = useCallback(async () => {
    const page = await run(() => attributesApi.list());
    if (page) {
      setItems(page.items);
    }
  }, [run]);

  useEffect(() => {
    void load();
  }, [load]);

  async function remove(a: AttributeDefinition) {
    const done = await removal.run(async () => {
      await attributesApi.remove(a.key);
      return true;
    });
    if (done) {
      setOpen(null);
      void load();
    }
  }

  return (
    <section className="card contact-attribute-defs" aria-labelledby="attributes-title">
      <div className="section-header">
        <h2 id="attributes-title">{t('contactFields.attributes')}</h2>
        <Can I="create" a="ContactAttribute">
          <button type="button" className="button-primary" onClick={() => setOpen({ kind: 'create' })} data-button="attributes.create">
            {t('contactFields.createAttribute')}
          </button>
        </Can>
      </div>
      <ErrorAlert error={list.error} />
      <div className="table-wrap">
        <table id="attributes-table">
          <thead>
            <tr>
              <th scope="col">{t('contactFields.attributeName')}</th>
              <th scope="col">{t('contactFields.key')}</th>
              <th scope="col">{t('contactFields.type')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {items.length === 0 && (
              <tr><td colSpan={4}>{t('contactFields.noAttributes')}</td></tr>
            )}
            {items.map((a) => (
              <tr key={a.key} data-key={a.key}>
                <td>{a.name}</td>
                <td><code>{a.key}</code></td>
                <td>{t(`contactFields.type.${a.type}`)}{a.type === 'choice' ? `: ${a.options.join(', ')}` : ''}</td>
                <td>
                  <RowAction can={['update', 'ContactAttribute']} button="attributes.edit" label={t('common.edit')} name={a.name} onClick={() => setOpen({ kind: 'edit', attribute: a })} />{' '}
                  <RowAction can={['delete', 'ContactAttribute']} button="attributes.delete" label={t('common.delete')} name={a.name} onClick={() => setOpen({ kind: 'delete', attribute: a })} danger />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {(open?.kind === 'create' || open?.kind === 'edit') && (
        <AttributeForm attribute={open.kind === 'edit' ? open.attribute : null} onClose={() => setOpen(null)} onSaved={() => { setOpen(null); void load(); }} />
      )}
      {open?.kind === 'delete' && (
        <ConfirmDialog
          title={t('contactFields.deleteAttributeTitle')}
          confirmLabel={t('common.delete')}
          can={['delete', 'ContactAttribute']}
          button="attributes.confirmDelete"
          danger
          busy={removal.busy}
          error={removal.error}
          onConfirm={() => void remove(open.attribute)}
          onClose={() => setOpen(null)}
        >
          <p>{t('contactFields.deleteAttributeText', { name: open.attribute.name })}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function AttributeForm({ attribute, onClose, onSaved }: { attribute: AttributeDefinition | null; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [key, setKey] = useState(attribute?.key ?? '');
  const [name, setName] = useState(attribute?.name ?? '');
  const [type, setType] = useState<AttributeType>(attribute?.type ?? 'text');
  const [options, setOptions] = useState((attribute?.options ?? []).join('\n'));
  const action = useAction();
  const errors = useFormErrors(action.error, { key: t('contactFields.key'), name: t('contactFields.attributeName'), type: t('contactFields.type'), options: t('contactFields.options') });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const list = options.split('\n').map((o) => o.trim()).filter(Boolean);
    const body = { name: name.trim(), type, ...(type === 'choice' ? { options: list } : {}) };
    const result = await action.run(() => (attribute ? attributesApi.update(attribute.key, body) : attributesApi.create({ key: key.trim(), ...body, options: body.options ?? [] })));
    if (result) {
      onSaved();
    }
  }

  return (
    <Dialog title={attribute ? t('contactFields.editAttribute', { name: attribute.name }) : t('contactFields.createAttribute')} onClose={onClose} id="attribute-dialog">
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
        <FormField id="attribute-name" label={t('contactFields.attributeName')} error={errors.field('name')}>
          {(describedBy, invalid) => (
            <input id="attribute-name" name="name" required maxLength={80} autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={name} onChange={(event) => setName(event.target.value)} />
          )}
        </FormField>
        <FormField id="attribute-key" label={t('contactFields.key')} hint={t('contactFields.keyHint')} error={errors.field('key')}>
          {(describedBy, invalid) => (
            <input id="attribute-key" name="key" required disabled={attribute !== null} maxLength={40} autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={key} onChange={(event) => setKey(event.target.value)} />
          )}
        </FormField>
        <FormField id="attribute-type" label={t('contactFields.type')} hint={attribute ? t('contactFields.typeChangeHint') : undefined} error={errors.field('type')}>
          {(describedBy, invalid) => (
            <select id="attribute-type" name="type" aria-describedby={describedBy} aria-invalid={invalid} value={type} onChange={(event) => setType(event.target.value as AttributeType)}>
              {TYPES.map((ty) => (
                <option key={ty} value={ty}>{t(`contactFields.type.${ty}`)}</option>
              ))}
            </select>
          )}
        </FormField>
        {type === 'choice' && (
          <FormField id="attribute-options" label={t('contactFields.options')} hint={t('contactFields.optionsHint')} error={errors.field('options')}>
            {(describedBy, invalid) => (
              <textarea id="attribute-options" name="options" rows={4} aria-describedby={describedBy} aria-invalid={invalid} value={options} onChange={(event) => setOptions(event.target.value)} />
            )}
          </FormField>
        )}
        <ErrorAlert error={action.error} form={errors} />
        <FormActions
          onCancel={onClose}
          disabled={action.busy}
          can={attribute ? ['update', 'ContactAttribute'] : ['create', 'ContactAttribute']}
          button={attribute ? 'attributes.submitEdit' : 'attributes.submitCreate'}
          label={attribute ? t('common.save') : t('contactFields.createAttribute')}
        />
      </form>
    </Dialog>
  );
}
