import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Can } from '../components/Can';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Dialog } from '../components/Dialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageTitle } from '../components/PageTitle';
import { teamsApi } from '../endpoints';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { Team } from '../types';
import { EmptyRow, ListStatus } from '../components/ListParts';
import { FormActions } from '../components/FormActions';

type Open = { kind: 'create' } | { kind: 'edit' | 'delete'; team: Team } | null;

/** `#/teams`: list, create, edit and delete teams. */
export function TeamsPage() {
  const { t } = useI18n();
  const [items, setItems] = useState<Team[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [open, setOpen] = useState<Open>(null);
  const list = useAction();
  const remove = useAction();
  const { run: runList } = list;

  const load = useCallback(async () => {
    const page = await runList(() => teamsApi.list());
    if (page) {
      setItems(page.items);
      setLoaded(true);
    }
  }, [runList]);

  useEffect(() => {
    void load();
  }, [load]);

  function close() {
    remove.setError(null);
    setOpen(null);
  }

  async function confirmDelete(team: Team) {
    const done = await remove.run(async () => {
      await teamsApi.remove(team.id);
      return true;
    });
    if (done) {
      setItems((previous) => previous.filter((item) => item.id !== team.id));
      setOpen(null);
    }
  }

  return (
    <section>
      <PageTitle
        title={t('teams.title')}
        actions={
          <Can I="create" a="Team">
            <button type="button" className="button-primary" onClick={() => setOpen({ kind: 'create' })} data-button="teams.create">
              {t('teams.create')}
            </button>
          </Can>
        }
      />
      <ErrorAlert error={list.error} />
      <div className="table-wrap">
        <table className="table" id="teams-table">
          <caption className="visually-hidden">{t('teams.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('teams.name')}</th>
              <th scope="col">{t('teams.description')}</th>
              <th scope="col" className="numeric">
                {t('teams.members')}
              </th>
              <th scope="col">
                <span className="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((team) => (
              <tr key={team.id} data-id={team.id}>
                <td>{team.name}</td>
                <td>{team.description || '—'}</td>
                <td className="numeric">
                  {team.memberCount}
                </td>
                <td className="row-actions">
                  <Can I="update" a="Team">
                    <button type="button" className="button-link" onClick={() => setOpen({ kind: 'edit', team })} data-button="teams.edit">
                      {t('common.edit')}
                      <span className="visually-hidden"> {team.name}</span>
                    </button>
                  </Can>
                  <Can I="delete" a="Team">
                    <button type="button" className="button-link danger" onClick={() => setOpen({ kind: 'delete', team })} data-button="teams.delete">
                      {t('common.delete')}
                      <span className="visually-hidden"> {team.name}</span>
                    </button>
                  </Can>
                </td>
              </tr>
            ))}
            {loaded && items.length === 0 && (
              <EmptyRow colSpan={4}>{t('teams.empty')}</EmptyRow>
            )}
          </tbody>
        </table>
      </div>
      <ListStatus busy={list.busy} />

      {(open?.kind === 'create' || open?.kind === 'edit') && (
        <TeamForm
          team={open.kind === 'edit' ? open.team : null}
          onClose={close}
          onSaved={(team) => {
            setItems((previous) =>
              previous.some((item) => item.id === team.id)
                ? previous.map((item) => (item.id === team.id ? team : item))
                : [...previous, team],
            );
            setOpen(null);
          }}
        />
      )}
      {open?.kind === 'delete' && (
        <ConfirmDialog
          title={t('teams.deleteTitle')}
          confirmLabel={t('common.delete')}
          can={['delete', 'Team']}
          button="teams.confirmDelete"
          danger
          busy={remove.busy}
          error={remove.error}
          onConfirm={() => void confirmDelete(open.team)}
          onClose={close}
        >
          <p>{t('teams.deleteText', { name: open.team.name, count: open.team.memberCount })}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function TeamForm({ team, onClose, onSaved }: { team: Team | null; onClose: () => void; onSaved: (team: Team) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(team?.name ?? '');
  const [description, setDescription] = useState(team?.description ?? '');
  const action = useAction();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = { name: name.trim(), description: description.trim() };
    const result = await action.run(() => (team ? teamsApi.update(team.id, input) : teamsApi.create(input)));
    if (result) {
      onSaved(result.team);
    }
  }

  return (
    <Dialog title={team ? t('teams.editTitle', { name: team.name }) : t('teams.createTitle')} onClose={onClose} id="team-dialog">
      <form onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor="team-name">{t('teams.name')}</label>
          <input id="team-name" name="name" required autoComplete="off" value={name} onChange={(event) => setName(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="team-description">{t('teams.description')}</label>
          <textarea id="team-description" name="description" rows={3} value={description} onChange={(event) => setDescription(event.target.value)} />
        </div>
        <ErrorAlert error={action.error} />
        <FormActions
          onCancel={onClose}
          disabled={action.busy}
          can={team ? ['update', 'Team'] : ['create', 'Team']}
          button={team ? 'teams.submitEdit' : 'teams.submitCreate'}
          label={team ? t('common.save') : t('teams.create')}
        />
      </form>
    </Dialog>
  );
}
