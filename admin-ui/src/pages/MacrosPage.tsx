import { useState } from 'react';
import { macrosApi, type Macro } from '../cannedApi';
import { ListPage, RowAction } from '../components/ListPage';
import { MacroForm } from '../components/macros/MacroForm';
import { describeStep, useMacroOptions } from '../components/macros/useMacroOptions';
import { useListLoad } from '../hooks';
import { useI18n } from '../i18n';

type Open = { kind: 'create' } | { kind: 'edit'; macro: Macro } | null;

/** `#/macros`: the user's own macros and the shared ones, run from a conversation's Macros menu. */
export function MacrosPage() {
  const { t } = useI18n();
  const options = useMacroOptions();
  const [open, setOpen] = useState<Open>(null);
  const { items, setItems, loaded, list, load } = useListLoad<Macro>(() => macrosApi.list());

  return (
    <ListPage<Macro>
      title={t('macros.title')}
      intro={<p className="hint">{t('macros.intro')}</p>}
      create={{ can: ['create', 'Macro'], button: 'macros.create', label: t('macros.create'), onClick: () => setOpen({ kind: 'create' }) }}
      tableId="macros-table"
      columns={[
        { key: 'name', header: t('macros.name'), cell: (m) => m.name },
        { key: 'scope', header: t('canned.scope'), cell: (m) => (m.shared ? t('canned.shared') : t('canned.personal')) },
        {
          key: 'steps', header: t('macros.steps'),
          cell: (m) => (
            <ol className="macro-summary">
              {m.actions.map((a, i) => (
                <li key={i}>{describeStep(a, options, t)}</li>
              ))}
            </ol>
          ),
        },
      ]}
      rows={items}
      rowKey={(m) => m.id}
      rowAttributes={(m) => ({ 'data-id': m.id, 'data-scope': m.shared ? 'shared' : 'personal' })}
      rowName={(m) => m.name}
      rowActions={(m, { askDelete }) => (
        <>
          <RowAction can={['update', 'Macro']} on={m} button="macros.edit" label={t('common.edit')} name={m.name} onClick={() => setOpen({ kind: 'edit', macro: m })} />
          <RowAction can={['delete', 'Macro']} on={m} button="macros.delete" label={t('common.delete')} name={m.name} onClick={askDelete} danger />
        </>
      )}
      loaded={loaded}
      busy={list.busy}
      error={list.error}
      empty={t('macros.empty')}
      deletion={{
        can: ['delete', 'Macro'],
        button: 'macros.confirmDelete',
        title: t('macros.deleteTitle'),
        text: (m) => <p>{t('macros.deleteText', { name: m.name })}</p>,
        remove: (m) => macrosApi.remove(m.id),
        onRemoved: (m) => setItems((previous) => previous.filter((item) => item.id !== m.id)),
      }}
    >
      {open && (
        <MacroForm
          macro={open.kind === 'edit' ? open.macro : null}
          options={options}
          onClose={() => setOpen(null)}
          onSaved={() => {
            setOpen(null);
            void load();
          }}
        />
      )}
    </ListPage>
  );
}
