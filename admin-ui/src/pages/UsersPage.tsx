import { useCallback, useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useCurrentUser } from '../auth';
import { Can } from '../components/Can';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ListPage, RowAction } from '../components/ListPage';
import { TemporaryPassword } from '../components/TemporaryPassword';
import { UserForm } from '../components/UserForm';
import { usersApi } from '../endpoints';
import { useFormats } from '../format';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { useLookups } from '../lookups';
import type { Readable, User, UserStatus } from '../types';

interface Filters {
  q: string;
  status: UserStatus | '';
}

/** A user as the viewer's role may read them: withheld fields are absent, never filled in. */
type UserView = Readable<User>;

/** A column of a field the server may withhold: shown only to those who may read it. */
const field = (name: keyof User) => ({ subject: 'User', name }) as const;

type Open =
  | { kind: 'create' }
  | { kind: 'edit' | 'disable' | 'enable' | 'reset'; user: UserView }
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
  const { t } = useI18n();
  const formats = useFormats();
  const me = useCurrentUser();
  const lookups = useLookups();
  const [query, setQuery] = useState('');
  const [filters, setFilters] = useState<Filters>({ q: '', status: '' });
  const [items, setItems] = useState<UserView[]>([]);
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
      const page = await runList(() => usersApi.page({ ...current, cursor }));
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

  function replace(user: UserView) {
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
        setOpen({ kind: 'password', email: user.email ?? '', password: result.temporaryPassword });
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
    <ListPage<UserView>
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
        {
          key: 'email',
          header: t('users.email'),
          field: field('email'),
          cell: (user) => (
            <>
              {user.email}
              {user.id === me.id && <span className="badge">{t('users.you')}</span>}
            </>
          ),
        },
        { key: 'name', header: t('users.name'), field: field('name'), cell: (user) => user.name },
        // Without `read Role` a role is only an id: the column is left out.
        { key: 'roles', header: t('users.roles'), can: ['read', 'Role'], field: field('roleIds'), cell: (user) => user.roleIds && (user.roleIds.map(lookups.roleName).join(', ') || '—') },
        { key: 'teams', header: t('users.teams'), field: field('teamIds'), cell: (user) => user.teamIds && (user.teamIds.map(lookups.teamName).join(', ') || '—') },
        {
          key: 'status',
          header: t('users.status'),
          field: field('status'),
          cell: (user) => (
            <>
              {user.status && <span className={`badge badge-${user.status}`}>{user.status === 'active' ? t('users.statusActive') : t('users.statusDisabled')}</span>}
              {user.mustChangePassword && <span className="badge badge-pending">{t('users.passwordPending')}</span>}
            </>
          ),
        },
        // "Never" only when the server says so (null); a withheld time shows nothing.
        { key: 'lastLogin', header: t('users.lastLogin'), field: field('lastLoginAt'), cell: (user) => (user.lastLoginAt === undefined ? null : formats.dateTime(user.lastLoginAt)) },
      ]}
      rows={items}
      rowKey={(user) => user.id}
      rowAttributes={(user) => ({ 'data-id': user.id, 'data-email': user.email })}
      rowName={(user) => user.email ?? user.name ?? ''}
      rowActions={(user) => {
        const label = user.email ?? user.name ?? '';
        return (
          <>
            <RowAction can={['update', 'User']} on={user} button="users.edit" label={t('common.edit')} name={label} onClick={() => setOpen({ kind: 'edit', user })} />
            {/* Never on one's own row: the server refuses it (own_account_disable). */}
            {user.status === 'active' && user.id !== me.id && (
              <RowAction can={['disable', 'User']} on={user} button="users.disable" label={t('users.disable')} name={label} onClick={() => setOpen({ kind: 'disable', user })} />
            )}
            {user.status === 'disabled' && (
              <RowAction can={['enable', 'User']} on={user} button="users.enable" label={t('users.enable')} name={label} onClick={() => setOpen({ kind: 'enable', user })} />
            )}
            {/* One's own password is changed from the header (it asks for the current one), not reset. */}
            {user.id !== me.id && (
              <RowAction can={['resetPassword', 'User']} on={user} button="users.resetPassword" label={t('users.resetPassword')} name={label} onClick={() => setOpen({ kind: 'reset', user })} />
            )}
          </>
        );
      }}
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
            setOpen({ kind: 'password', email: user.email ?? '', password });
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
          <p>{t(`users.confirm.${open.kind}.text`, { email: open.user.email ?? open.user.name ?? '' })}</p>
        </ConfirmDialog>
      )}
      {open?.kind === 'password' && <TemporaryPassword email={open.email} password={open.password} onClose={close} />}
    </ListPage>
  );
}
