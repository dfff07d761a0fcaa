import { useCallback, useEffect, useRef, useState } from 'react';
import { ListPage, RowAction } from '../components/ListPage';
import { RowNote } from '../components/RowActions';
import { PermissionMatrix } from '../components/PermissionMatrix';
import { RoleForm } from '../components/RoleForm';
import { catalogueApi, rolesApi } from '../endpoints';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { roleTexts } from '../permissions';
import type { CatalogueAction, Role, SubjectLabels } from '../types';

type Open = { kind: 'create' } | { kind: 'edit'; role: Role } | null;

/** `#/roles`: roles, the permission catalogue as a matrix, and custom role editing. */
export function RolesPage() {
  const { t, lang } = useI18n();
  const [roles, setRoles] = useState<Role[]>([]);
  const [catalogue, setCatalogue] = useState<CatalogueAction[]>([]);
  const [subjects, setSubjects] = useState<SubjectLabels>({});
  const [selectedId, setSelectedId] = useState<string>('');
  const [open, setOpen] = useState<Open>(null);
  const list = useAction();
  const [loaded, setLoaded] = useState(false);
  const matrixRef = useRef<HTMLHeadingElement>(null);
  const { run: runList } = list;

  const load = useCallback(async () => {
    const result = await runList(() => Promise.all([rolesApi.list(), catalogueApi.list()]));
    if (result) {
      const [rolePage, cataloguePage] = result;
      setRoles(rolePage.items);
      setCatalogue(cataloguePage.actions);
      setSubjects(cataloguePage.subjects);
      setSelectedId((current) => current || rolePage.items[0]?.id || '');
      setLoaded(true);
    }
  }, [runList]);

  useEffect(() => {
    void load();
  }, [load]);

  const selected = roles.find((role) => role.id === selectedId) ?? null;
  // Built-in roles in the panel's language; a custom role as its author named it.
  const nameOf = (role: Role) => roleTexts(role, lang).name;

  function showMatrix(role: Role) {
    setSelectedId(role.id);
    matrixRef.current?.focus();
  }

  function saved(role: Role) {
    setRoles((previous) =>
      previous.some((item) => item.id === role.id) ? previous.map((item) => (item.id === role.id ? role : item)) : [...previous, role],
    );
    setSelectedId(role.id);
    setOpen(null);
  }

  return (
    <ListPage<Role>
      title={t('roles.title')}
      create={{ can: ['create', 'Role'], button: 'roles.create', label: t('roles.create'), onClick: () => setOpen({ kind: 'create' }), disabled: catalogue.length === 0 }}
      tableId="roles-table"
      columns={[
        { key: 'name', header: t('roles.name'), cell: nameOf },
        { key: 'key', header: t('roles.key'), cell: (role) => <code>{role.key}</code> },
        { key: 'description', header: t('roles.description'), cell: (role) => roleTexts(role, lang).description || '—' },
        {
          key: 'type',
          header: t('roles.type'),
          cell: (role) => <span className={role.builtin ? 'badge badge-builtin' : 'badge'}>{role.builtin ? t('roles.builtin') : t('roles.custom')}</span>,
        },
        { key: 'users', header: t('roles.users'), numeric: true, cell: (role) => role.userCount },
      ]}
      rows={roles}
      rowKey={(role) => role.id}
      rowAttributes={(role) => ({ 'data-id': role.id, 'data-key': role.key, className: role.id === selectedId ? 'selected' : undefined })}
      rowName={nameOf}
      rowActions={(role, { askDelete }) => (
        <>
          <RowAction can={['read', 'Role']} button="roles.view" label={t('roles.viewPermissions')} name={nameOf(role)} onClick={() => showMatrix(role)} />
          {role.builtin ? (
            <RowNote>{t('roles.readOnly')}</RowNote>
          ) : (
            <>
              <RowAction can={['update', 'Role']} on={role} button="roles.edit" label={t('common.edit')} name={nameOf(role)} onClick={() => setOpen({ kind: 'edit', role })} />
              <RowAction can={['delete', 'Role']} on={role} button="roles.delete" label={t('common.delete')} name={nameOf(role)} onClick={askDelete} danger />
            </>
          )}
        </>
      )}
      loaded={loaded}
      busy={list.busy}
      error={list.error}
      deletion={{
        can: ['delete', 'Role'],
        button: 'roles.confirmDelete',
        title: t('roles.deleteTitle'),
        text: (role) => <p>{t('roles.deleteText', { name: nameOf(role), count: role.userCount })}</p>,
        remove: (role) => rolesApi.remove(role.id),
        onRemoved: (role) => {
          setRoles((previous) => previous.filter((item) => item.id !== role.id));
          setSelectedId((current) => (current === role.id ? '' : current));
        },
      }}
    >
      <section className="matrix-section" aria-labelledby="matrix-title">
        <div className="page-header">
          <div>
            <h2 id="matrix-title" ref={matrixRef} tabIndex={-1}>
              {t('matrix.title')}
            </h2>
            <p className="hint">{t('matrix.intro')}</p>
          </div>
          <div className="toolbar-filter">
            <label htmlFor="matrix-role">{t('matrix.role')}</label>
            <select id="matrix-role" value={selectedId} onChange={(event) => setSelectedId(event.target.value)}>
              <option value="">{t('matrix.noRole')}</option>
              {roles.map((role) => (
                <option key={role.id} value={role.id}>
                  {nameOf(role)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <PermissionMatrix catalogue={catalogue} subjects={subjects} role={selected} />
      </section>

      {open?.kind === 'create' && <RoleForm catalogue={catalogue} subjects={subjects} onSaved={saved} onClose={() => setOpen(null)} />}
      {open?.kind === 'edit' && <RoleForm role={open.role} catalogue={catalogue} subjects={subjects} onSaved={saved} onClose={() => setOpen(null)} />}
    </ListPage>
  );
}
