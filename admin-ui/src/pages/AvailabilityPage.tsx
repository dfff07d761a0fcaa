import { useState } from 'react';
import type { FormEvent } from 'react';
import { rowSubject } from '../ability';
import { Can } from '../components/Can';
import { Dialog } from '../components/Dialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormActions } from '../components/FormActions';
import { FormField } from '../components/FormField';
import { ListPage, RowAction } from '../components/ListPage';
import { OverdueConversations } from '../components/routing/OverdueConversations';
import { availabilityApi } from '../endpoints';
import { useAction, useListLoad } from '../hooks';
import { useI18n } from '../i18n';
import { useFormErrors } from '../useFormErrors';
import type { Availability } from '../types';

export const STATES = ['online', 'away', 'offline'] as const;
export type AgentState = (typeof STATES)[number];

/** `#/availability`: who is online, their load against their capacity; supervisors override states and set capacities. */
export function AvailabilityPage() {
  const { t } = useI18n();
  const [editing, setEditing] = useState<Availability | null>(null);
  const change = useAction();
  const { items, setItems, loaded, list } = useListLoad<Availability>(() => availabilityApi.list());

  const replace = (row: Availability) => setItems((previous) => previous.map((item) => (item.userId === row.userId ? row : item)));

  async function setState(row: Availability, state: AgentState) {
    const result = await change.run(() => availabilityApi.setState(row.userId, state));
    if (result) {
      replace(result.availability);
    }
  }

  return (
    <ListPage<Availability>
      title={t('availability.title')}
      intro={<p>{t('availability.intro')}</p>}
      tableId="availability-table"
      columns={[
        { key: 'name', header: t('availability.agent'), cell: (row) => row.name },
        {
          key: 'state',
          header: t('availability.stateLabel'),
          cell: (row) => (
            <>
              <Can not I="update" this={rowSubject('Availability', { userId: row.userId })}>
                <span data-state={row.state}>{t(`availability.state.${row.state}`)}</span>
              </Can>
              <Can I="update" this={rowSubject('Availability', { userId: row.userId })}>
                <label className="visually-hidden" htmlFor={`state-${row.userId}`}>{`${t('availability.override')} ${row.name}`}</label>
                <select
                  id={`state-${row.userId}`}
                  data-button="availability.override"
                  data-state={row.state}
                  value={row.state}
                  disabled={change.busy}
                  onChange={(event) => void setState(row, event.target.value as AgentState)}
                >
                  {STATES.map((state) => (
                    <option key={state} value={state}>
                      {t(`availability.state.${state}`)}
                    </option>
                  ))}
                </select>
              </Can>
            </>
          ),
        },
        { key: 'load', header: t('availability.load'), numeric: true, cell: (row) => `${row.open} / ${row.effectiveCapacity}` },
      ]}
      rows={items}
      rowKey={(row) => row.userId}
      rowAttributes={(row) => ({ 'data-id': row.userId })}
      rowName={(row) => row.name}
      rowActions={(row) => (
        <RowAction can={['capacity', 'Availability']} on={{ userId: row.userId }} button="availability.capacity" label={t('availability.capacity')} name={row.name} onClick={() => setEditing(row)} />
      )}
      loaded={loaded}
      busy={list.busy}
      error={list.error ?? change.error}
      empty={t('availability.empty')}
    >
      <OverdueConversations />
      {editing && (
        <CapacityForm
          row={editing}
          onClose={() => setEditing(null)}
          onSaved={(row) => {
            replace(row);
            setEditing(null);
          }}
        />
      )}
    </ListPage>
  );
}

function CapacityForm({ row, onClose, onSaved }: { row: Availability; onClose: () => void; onSaved: (row: Availability) => void }) {
  const { t } = useI18n();
  const [value, setValue] = useState(row.capacity === null ? '' : String(row.capacity));
  const action = useAction();
  const errors = useFormErrors(action.error, { capacity: t('availability.capacity') });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const capacity = value.trim() === '' ? null : Number(value);
    const result = await action.run(() => availabilityApi.setCapacity(row.userId, capacity));
    if (result) {
      onSaved(result.availability);
    }
  }

  return (
    <Dialog title={t('availability.capacityTitle', { name: row.name })} onClose={onClose} id="capacity-dialog">
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
        <FormField id="agent-capacity" label={t('availability.capacity')} hint={t('availability.capacityHelp')} error={errors.field('capacity')}>
          {(describedBy, invalid) => (
            <input id="agent-capacity" name="capacity" type="number" min={0} max={500} step={1} inputMode="numeric" aria-describedby={describedBy} aria-invalid={invalid} value={value} onChange={(event) => setValue(event.target.value)} />
          )}
        </FormField>
        <ErrorAlert error={action.error} form={errors} />
        <FormActions onCancel={onClose} disabled={action.busy} can={['capacity', 'Availability']} button="availability.submitCapacity" label={t('common.save')} />
      </form>
    </Dialog>
  );
}
