import { useCallback, useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { Can } from '../components/Can';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ListPage, RowAction } from '../components/ListPage';
import { TemporaryPassword } from '../components/TemporaryPassword';
import { UserForm } from '../components/UserForm';
import { usersApi } from '../endpoints';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { useLookups } from '../lookups';
import type { User, UserStatus } from '../types';

interface Filters {
  q: string;
  status: UserStatus | '';
}

type Open =
  | { kind: 'create' }
  | { kind: 'edit' | 'disable' | 'enable' | 'reset'; user: User }
  | { kind: 'password'; email: string; password: string }
  | null;

const CONFIRM_BUTTON = {
  disable: 'users.confirmDisable',
  enable: 'users.confirmEnable',
  reset: 'users.confirmResetPassword',
} as const;

function isStatus(value: string): value is UserStatus | '' {
  return value === '' || value === 'active' || value === 'disabled';
}

/** `#/users`: search, list, create, edit, disable/enable and reset password. */
export function UsersPage() {
  const { t, formatDateTime } = useI18n();
  const lookups = useLookups();
  const [query, setQuery] = useState('');
  const [filters, setFilters] = useState<Filters>({ q: '', status: '' });
  const [items, setItems] = useState<User[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [open, setOpen] = useState<Open>(null);
  const list = useAction();
  const confirm = useAction();
  const latest = useRef(0);
  const { run: runList } = list;

  const load = useCallback(
    async (current: Filters, cursor: string | null) => {
      const mine = ++latest.current;
      const page = await runList(() => usersApi.list({ ...current, cursor }));
      if (!page || mine !== latest.current) {
        return;
      }
      setItems((previous) => (cursor ? [...previous, ...page.items] : page.items));
      setNextCursor(page.nextCursor);
      setLoaded(true);
    },
    [runList],
  );

  useEffect(() => {
    void load(filters, null);
  }, [filters, load]);

  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFilters((current) => ({ ...current, q: query.trim() }));
  }

  function replace(user: User) {
    setItems((previous) => previous.map((item) => (item.id === user.id ? user : item)));
  }

  function close() {
    confirm.setError(null);
    setOpen(null);
  }

  async function confirmAction() {
    if (!open || !('user' in open)) {
      return;
    }
    const { user } = open;
    if (open.kind === 'reset') {
      const result = await confirm.run(() => usersApi.resetPassword(user.id));
      if (result) {
        replace({ ...user, mustChangePassword: true });
        setOpen({ kind: 'password', email: user.email, password: result.temporaryPassword });
      }
      return;
    }
    const call = open.kind === 'disable' ? usersApi.disable : usersApi.enable;
    const result = await confirm.run(() => call(user.id));
    if (result) {
      replace(result.user);
      setOpen(null);
    }
  }

  return (
    <ListPage<User>
      title={t('users.title')}
      create={{ can: ['create', 'User'], button: 'users.create', label: t('users.create'), onClick: () => setOpen({ kind: 'create' }) }}
      toolbar={
        <div className="toolbar">
          <form role="search" className="toolbar-search" onSubmit={search}>
            <label htmlFor="users-search">{t('users.search')}</label>
            <input id="users-search" name="q" type="search" value={query} onChange={(event) => setQuery(event.target.value)} />
            <Can I="read" a="User">
              <button type="submit" className="button-secondary" data-button="users.search">
                {t('common.search')}
              </button>
            </Can>
          </form>
          <div className="toolbar-filter">
            <label htmlFor="users-status">{t('users.status')}</label>
            <select
              id="users-status"
              name="status"
              value={filters.status}
              onChange={(event) => {
                const status = event.target.value;
                if (isStatus(status)) {
                  setFilters((current) => ({ ...current, status }));
                }
              }}
            >
              <option value="">{t('users.statusAll')}</option>
              <option value="active">{t('users.statusActive')}</option>
              <option value="disabled">{t('users.statusDisabled')}</option>
            </select>
          </div>
        </div>
      }
      tableId="users-table"
      columns={[
        { key: 'email', header: t('users.email'), cell: (user) => user.email },
        { key: 'name', header: t('users.name'), cell: (user) => user.name },
        // Without `read Role` a role is only an id: the column is left out.
        { key: 'roles', header: t('users.roles'), can: ['read', 'Role'], cell: (user) => user.roleIds.map(lookups.roleName).join(', ') || '—' },
        { key: 'teams', header: t('users.teams'), cell: (user) => user.teamIds.map(lookups.teamName).join(', ') || '—' },
        {
          key: 'status',
          header: t('users.status'),
          cell: (user) => (
            <>
              <span className={`badge badge-${user.status}`}>{user.status === 'active' ? t('users.statusActive') : t('users.statusDisabled')}</span>
              {user.mustChangePassword && <span className="badge badge-pending">{t('users.passwordPending')}</span>}
            </>
          ),
        },
        { key: 'lastLogin', header: t('users.lastLogin'), cell: (user) => formatDateTime(user.lastLoginAt) },
      ]}
      rows={items}
      rowKey={(user) => user.id}
      rowAttributes={(user) => ({ 'data-id': user.id, 'data-email': user.email })}
      rowName={(user) => user.email}
      rowActions={(user) => (
        <>
          <RowAction can={['update', 'User']} button="users.edit" label={t('common.edit')} name={user.email} onClick={() => setOpen({ kind: 'edit', user })} />
          {user.status === 'active' ? (
            <RowAction can={['disable', 'User']} button="users.disable" label={t('users.disable')} name={user.email} onClick={() => setOpen({ kind: 'disable', user })} />
          ) : (
            <RowAction can={['enable', 'User']} button="users.enable" label={t('users.enable')} name={user.email} onClick={() => setOpen({ kind: 'enable', user })} />
          )}
          <RowAction can={['resetPassword', 'User']} button="users.resetPassword" label={t('users.resetPassword')} name={user.email} onClick={() => setOpen({ kind: 'reset', user })} />
        </>
      )}
      loaded={loaded}
      busy={list.busy}
      error={list.error}
      empty={t('users.empty')}
      footer={
        nextCursor && (
          <Can I="read" a="User">
            <button type="button" className="button-secondary" disabled={list.busy} onClick={() => void load(filters, nextCursor)} data-button="users.loadMore">
              {t('common.loadMore')}
            </button>
          </Can>
        )
      }
    >
      {open?.kind === 'create' && (
        <UserForm
          lookups={lookups}
          onClose={close}
          onSaved={() => undefined}
          onCreated={(user, password) => {
            setItems((previous) => [user, ...previous]);
            setOpen({ kind: 'password', email: user.email, password });
          }}
        />
      )}
      {open?.kind === 'edit' && (
        <UserForm
          user={open.user}
          lookups={lookups}
          onClose={close}
          onCreated={() => undefined}
          onSaved={(user) => {
            replace(user);
            setOpen(null);
          }}
        />
      )}
      {open && (open.kind === 'disable' || open.kind === 'enable' || open.kind === 'reset') && (
        <ConfirmDialog
          title={t(`users.confirm.${open.kind}.title`)}
          confirmLabel={t(`users.confirm.${open.kind}.button`)}
          can={[open.kind === 'reset' ? 'resetPassword' : open.kind, 'User']}
          button={CONFIRM_BUTTON[open.kind]}
          danger={open.kind !== 'enable'}
          busy={confirm.busy}
          error={confirm.error}
          onConfirm={() => void confirmAction()}
          onClose={close}
        >
          <p>{t(`users.confirm.${open.kind}.text`, { email: open.user.email })}</p>
        </ConfirmDialog>
      )}
      {open?.kind === 'password' && <TemporaryPassword email={open.email} password={open.password} onClose={close} />}
    </ListPage>
  );
}
