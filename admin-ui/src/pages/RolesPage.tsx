import { useCallback, useEffect, useRef, useState } from 'react';
import { Can } from '../components/Can';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageTitle } from '../components/PageTitle';
import { PermissionMatrix } from '../components/PermissionMatrix';
import { RoleForm } from '../components/RoleForm';
import { catalogueApi, rolesApi } from '../endpoints';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { CatalogueAction, Role } from '../types';
import { ListStatus } from '../components/ListParts';

type Open = { kind: 'create' } | { kind: 'edit' | 'delete'; role: Role } | null;

/** `#/roles`: roles, the permission catalogue as a matrix, and custom role editing. */
export function RolesPage() {
  const { t } = useI18n();
  const [roles, setRoles] = useState<Role[]>([]);
  const [catalogue, setCatalogue] = useState<CatalogueAction[]>([]);
  const [selectedId, setSelectedId] = useState<string>('');
  const [open, setOpen] = useState<Open>(null);
  const list = useAction();
  const remove = useAction();
  const matrixRef = useRef<HTMLHeadingElement>(null);
  const { run: runList } = list;

  const load = useCallback(async () => {
    const result = await runList(() => Promise.all([rolesApi.list(), catalogueApi.list()]));
    if (result) {
      const [rolePage, cataloguePage] = result;
      setRoles(rolePage.items);
      setCatalogue(cataloguePage.actions);
      setSelectedId((current) => current || rolePage.items[0]?.id || '');
    }
  }, [runList]);

  useEffect(() => {
    void load();
  }, [load]);

  const selected = roles.find((role) => role.id === selectedId) ?? null;

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

  function close() {
    remove.setError(null);
    setOpen(null);
  }

  async function confirmDelete(role: Role) {
    const done = await remove.run(async () => {
      await rolesApi.remove(role.id);
      return true;
    });
    if (done) {
      setRoles((previous) => previous.filter((item) => item.id !== role.id));
      setSelectedId((current) => (current === role.id ? '' : current));
      setOpen(null);
    }
  }

  return (
    <section>
      <PageTitle
        title={t('roles.title')}
        actions={
          <Can I="create" a="Role">
            <button type="button" className="button-primary" onClick={() => setOpen({ kind: 'create' })} data-button="roles.create" disabled={catalogue.length === 0}>
              {t('roles.create')}
            </button>
          </Can>
        }
      />
      <ErrorAlert error={list.error} />
      <div className="table-wrap">
        <table className="table" id="roles-table">
          <caption className="visually-hidden">{t('roles.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('roles.name')}</th>
              <th scope="col">{t('roles.key')}</th>
              <th scope="col">{t('roles.description')}</th>
              <th scope="col">{t('roles.type')}</th>
              <th scope="col" className="numeric">
                {t('roles.users')}
              </th>
              <th scope="col">
                <span className="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {roles.map((role) => (
              <tr key={role.id} data-id={role.id} data-key={role.key} className={role.id === selectedId ? "selected" : undefined}>
                <td>{role.name}</td>
                <td>
                  <code>{role.key}</code>
                </td>
                <td>{role.description || '—'}</td>
                <td>
                  <span className={role.builtin ? 'badge badge-builtin' : 'badge'}>{role.builtin ? t('roles.builtin') : t('roles.custom')}</span>
                </td>
                <td className="numeric">
                  {role.userCount}
                </td>
                <td className="row-actions">
                  <Can I="read" a="Role">
                    <button type="button" className="button-link" onClick={() => showMatrix(role)} data-button="roles.view">
                      {t('roles.viewPermissions')}
                      <span className="visually-hidden"> {role.name}</span>
                    </button>
                  </Can>
                  {role.builtin ? (
                    <span className="muted">{t('roles.readOnly')}</span>
                  ) : (
                    <>
                      <Can I="update" a="Role">
                        <button type="button" className="button-link" onClick={() => setOpen({ kind: 'edit', role })} data-button="roles.edit">
                          {t('common.edit')}
                          <span className="visually-hidden"> {role.name}</span>
                        </button>
                      </Can>
                      <Can I="delete" a="Role">
                        <button type="button" className="button-link danger" onClick={() => setOpen({ kind: 'delete', role })} data-button="roles.delete">
                          {t('common.delete')}
                          <span className="visually-hidden"> {role.name}</span>
                        </button>
                      </Can>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ListStatus busy={list.busy} />

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
                  {role.name}
                </option>
              ))}
            </select>
          </div>
        </div>
        <PermissionMatrix catalogue={catalogue} role={selected} />
      </section>

      {open?.kind === 'create' && <RoleForm catalogue={catalogue} onSaved={saved} onClose={close} />}
      {open?.kind === 'edit' && <RoleForm role={open.role} catalogue={catalogue} onSaved={saved} onClose={close} />}
      {open?.kind === 'delete' && (
        <ConfirmDialog
          title={t('roles.deleteTitle')}
          confirmLabel={t('common.delete')}
          can={['delete', 'Role']}
          button="roles.confirmDelete"
          danger
          busy={remove.busy}
          error={remove.error}
          onConfirm={() => void confirmDelete(open.role)}
          onClose={close}
        >
          <p>{t('roles.deleteText', { name: open.role.name, count: open.role.userCount })}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
