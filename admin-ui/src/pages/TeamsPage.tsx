import { useState } from 'react';
import type { FormEvent } from 'react';
import { Dialog } from '../components/Dialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormActions } from '../components/FormActions';
import { FormField } from '../components/FormField';
import { ListPage, RowAction } from '../components/ListPage';
import { teamsApi } from '../endpoints';
import { useAction, useListLoad } from '../hooks';
import { useI18n } from '../i18n';
import { useFormErrors } from '../useFormErrors';
import type { Readable, Team } from '../types';

/** A team as the viewer's role may read it: withheld fields are absent, never filled in. */
type TeamView = Readable<Team>;

type Open = { kind: 'create' } | { kind: 'edit'; team: TeamView } | null;

/** `#/teams`: list, create, edit and delete teams. */
export function TeamsPage() {
  const { t } = useI18n();
  const [open, setOpen] = useState<Open>(null);
  const { items, setItems, loaded, list } = useListLoad<TeamView>(() => teamsApi.list());

  return (
    <ListPage<TeamView>
      title={t('teams.title')}
      create={{ can: ['create', 'Team'], button: 'teams.create', label: t('teams.create'), onClick: () => setOpen({ kind: 'create' }) }}
      tableId="teams-table"
      columns={[
        { key: 'name', header: t('teams.name'), field: { subject: 'Team', name: 'name' }, cell: (team) => team.name },
        { key: 'description', header: t('teams.description'), field: { subject: 'Team', name: 'description' }, cell: (team) => (team.description === undefined ? null : team.description || '—') },
        { key: 'members', header: t('teams.members'), numeric: true, field: { subject: 'Team', name: 'memberCount' }, cell: (team) => team.memberCount },
      ]}
      rows={items}
      rowKey={(team) => team.id}
      rowAttributes={(team) => ({ 'data-id': team.id })}
      rowName={(team) => team.name ?? ''}
      rowActions={(team, { askDelete }) => (
        <>
          <RowAction can={['update', 'Team']} on={team} button="teams.edit" label={t('common.edit')} name={team.name ?? ''} onClick={() => setOpen({ kind: 'edit', team })} />
          <RowAction can={['delete', 'Team']} on={team} button="teams.delete" label={t('common.delete')} name={team.name ?? ''} onClick={askDelete} danger />
        </>
      )}
      loaded={loaded}
      busy={list.busy}
      error={list.error}
      empty={t('teams.empty')}
      deletion={{
        can: ['delete', 'Team'],
        button: 'teams.confirmDelete',
        title: t('teams.deleteTitle'),
        text: (team) => <p>{t('teams.deleteText', { name: team.name ?? '', count: team.memberCount ?? '—' })}</p>,
        remove: (team) => teamsApi.remove(team.id),
        onRemoved: (team) => setItems((previous) => previous.filter((item) => item.id !== team.id)),
      }}
    >
      {open && (
        <TeamForm
          team={open.kind === 'edit' ? open.team : null}
          onClose={() => setOpen(null)}
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
    </ListPage>
  );
}

function TeamForm({ team, onClose, onSaved }: { team: TeamView | null; onClose: () => void; onSaved: (team: TeamView) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(team?.name ?? '');
  const [description, setDescription] = useState(team?.description ?? '');
  const [capacity, setCapacity] = useState(team?.defaultCapacity === undefined || team.defaultCapacity === null ? '' : String(team.defaultCapacity));
  const action = useAction();
  const errors = useFormErrors(action.error, { name: t('teams.name'), description: t('teams.description'), defaultCapacity: t('teams.defaultCapacity') });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = { name: name.trim(), description: description.trim() };
    const defaultCapacity = capacity.trim() === '' ? null : Number(capacity);
    const result = await action.run(() => (team ? teamsApi.update(team.id, { ...input, defaultCapacity }) : teamsApi.create(input)));
    if (result) {
      onSaved(result.team);
    }
  }

  return (
    <Dialog title={team ? t('teams.editTitle', { name: team.name ?? '' }) : t('teams.createTitle')} onClose={onClose} id="team-dialog">
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
        <FormField id="team-name" label={t('teams.name')} error={errors.field('name')}>
          {(describedBy, invalid) => (
            <input id="team-name" name="name" required autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={name} onChange={(event) => setName(event.target.value)} />
          )}
        </FormField>
        <FormField id="team-description" label={t('teams.description')} error={errors.field('description')}>
          {(describedBy, invalid) => (
            <textarea id="team-description" name="description" rows={3} aria-describedby={describedBy} aria-invalid={invalid} value={description} onChange={(event) => setDescription(event.target.value)} />
          )}
        </FormField>
        {team && (
          <FormField id="team-capacity" label={t('teams.defaultCapacity')} hint={t('teams.defaultCapacityHelp')} error={errors.field('defaultCapacity')}>
            {(describedBy, invalid) => (
              <input id="team-capacity" name="defaultCapacity" type="number" min={0} max={500} step={1} inputMode="numeric" aria-describedby={describedBy} aria-invalid={invalid} value={capacity} onChange={(event) => setCapacity(event.target.value)} />
            )}
          </FormField>
        )}
        <ErrorAlert error={action.error} form={errors} />
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
