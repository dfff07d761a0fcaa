import { useCallback, useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { Can } from '../components/Can';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageTitle } from '../components/PageTitle';
import { TemporaryPassword } from '../components/TemporaryPassword';
import { UserForm } from '../components/UserForm';
import { usersApi } from '../endpoints';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { useLookups } from '../lookups';
import type { User, UserStatus } from '../types';
import { EmptyRow, ListStatus } from '../components/ListParts';

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
    <section>
      <PageTitle
        title={t('users.title')}
        actions={
          <Can I="create" a="User">
            <button type="button" className="button-primary" onClick={() => setOpen({ kind: 'create' })} data-button="users.create">
              {t('users.create')}
            </button>
          </Can>
        }
      />

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

      <ErrorAlert error={list.error} />
      <div className="table-wrap">
        <table className="table" id="users-table">
          <caption className="visually-hidden">{t('users.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('users.email')}</th>
              <th scope="col">{t('users.name')}</th>
              {/* Without `read Role` a role is only an id: the column is left out. */}
              <Can I="read" a="Role">
                <th scope="col">{t('users.roles')}</th>
              </Can>
              <th scope="col">{t('users.teams')}</th>
              <th scope="col">{t('users.status')}</th>
              <th scope="col">{t('users.lastLogin')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((user) => (
              <tr key={user.id} data-id={user.id} data-email={user.email}>
                <td>{user.email}</td>
                <td>{user.name}</td>
                <Can I="read" a="Role">
                  <td>{user.roleIds.map(lookups.roleName).join(', ') || '—'}</td>
                </Can>
                <td>{user.teamIds.map(lookups.teamName).join(', ') || '—'}</td>
                <td>
                  <span className={`badge badge-${user.status}`}>
                    {user.status === 'active' ? t('users.statusActive') : t('users.statusDisabled')}
                  </span>
                  {user.mustChangePassword && <span className="badge badge-pending">{t('users.passwordPending')}</span>}
                </td>
                <td>{formatDateTime(user.lastLoginAt)}</td>
                <td className="row-actions">
                  <Can I="update" a="User">
                    <button type="button" className="button-link" onClick={() => setOpen({ kind: 'edit', user })} data-button="users.edit">
                      {t('common.edit')}
                      <span className="visually-hidden"> {user.email}</span>
                    </button>
                  </Can>
                  {user.status === 'active' ? (
                    <Can I="disable" a="User">
                      <button type="button" className="button-link" onClick={() => setOpen({ kind: 'disable', user })} data-button="users.disable">
                        {t('users.disable')}
                        <span className="visually-hidden"> {user.email}</span>
                      </button>
                    </Can>
                  ) : (
                    <Can I="enable" a="User">
                      <button type="button" className="button-link" onClick={() => setOpen({ kind: 'enable', user })} data-button="users.enable">
                        {t('users.enable')}
                        <span className="visually-hidden"> {user.email}</span>
                      </button>
                    </Can>
                  )}
                  <Can I="resetPassword" a="User">
                    <button type="button" className="button-link" onClick={() => setOpen({ kind: 'reset', user })} data-button="users.resetPassword">
                      {t('users.resetPassword')}
                      <span className="visually-hidden"> {user.email}</span>
                    </button>
                  </Can>
                </td>
              </tr>
            ))}
            {loaded && items.length === 0 && (
              <EmptyRow colSpan={7}>{t('users.empty')}</EmptyRow>
            )}
          </tbody>
        </table>
      </div>
      <ListStatus busy={list.busy} />
      {nextCursor && (
        <Can I="read" a="User">
          <button type="button" className="button-secondary" disabled={list.busy} onClick={() => void load(filters, nextCursor)} data-button="users.loadMore">
            {t('common.loadMore')}
          </button>
        </Can>
      )}

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
    </section>
  );
}
