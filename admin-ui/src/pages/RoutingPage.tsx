import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Dialog } from '../components/Dialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormActions } from '../components/FormActions';
import { FormField } from '../components/FormField';
import { ListPage, RowAction } from '../components/ListPage';
import { Can } from '../components/Can';
import { channelsApi, routingApi, teamsApi } from '../endpoints';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { useFormErrors } from '../useFormErrors';
import type { RoutingPolicy, RoutingPolicyInput } from '../types';

type Scope = { scopeType: 'channel' | 'team'; scopeId: string; name: string; policy: RoutingPolicy | null };
type Kind = RoutingPolicyInput['kind'];
type Rule = NonNullable<RoutingPolicyInput['rules']>[number];
const KINDS: Kind[] = ['round_robin', 'load_balance', 'skills', 'sticky', 'manual'];
const CHOICES = ['round_robin', 'load_balance'] as const;
const FIELDS: Rule['field'][] = ['keyword', 'language', 'label', 'attribute', 'number'];

/** `#/routing`: the routing policy of each number (which team) and each team (which agent). */
export function RoutingPage() {
  const { t } = useI18n();
  const [rows, setRows] = useState<Scope[]>([]);
  const [teams, setTeams] = useState<Array<{ id: string; name: string }>>([]);
  const [loaded, setLoaded] = useState(false);
  const [editing, setEditing] = useState<Scope | null>(null);
  const list = useAction();
  const { run: runList } = list;

  const load = useCallback(async () => {
    const data = await runList(async () => Promise.all([routingApi.list(), channelsApi.list(), teamsApi.list()]));
    if (data) {
      const [policies, channels, teamList] = data;
      const policyOf = (scopeType: Scope['scopeType'], scopeId: string) => policies.items.find((p) => p.scopeType === scopeType && p.scopeId === scopeId) ?? null;
      const namedTeams = teamList.items.map((team) => ({ id: team.id, name: team.name ?? team.id }));
      setTeams(namedTeams);
      setRows([
        ...channels.items.map((c) => ({ scopeType: 'channel' as const, scopeId: c.id, name: c.name ?? c.id, policy: policyOf('channel', c.id) })),
        ...namedTeams.map((team) => ({ scopeType: 'team' as const, scopeId: team.id, name: team.name, policy: policyOf('team', team.id) })),
      ]);
      setLoaded(true);
    }
  }, [runList]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <ListPage<Scope>
      title={t('routing.title')}
      intro={<p>{t('routing.intro')}</p>}
      tableId="routing-table"
      columns={[
        { key: 'name', header: t('routing.team'), cell: (row) => row.name },
        { key: 'scope', header: '', cell: (row) => t(row.scopeType === 'channel' ? 'routing.numbers' : 'routing.teams') },
        { key: 'kind', header: t('routing.kind'), cell: (row) => <span data-kind={row.policy?.kind ?? 'default'}>{row.policy ? t(`routing.kind.${row.policy.kind}`) : t('routing.none')}</span> },
      ]}
      rows={rows}
      rowKey={(row) => `${row.scopeType}:${row.scopeId}`}
      rowAttributes={(row) => ({ 'data-id': row.scopeId, 'data-scope': row.scopeType })}
      rowName={(row) => row.name}
      rowActions={(row) => <RowAction can={['update', 'RoutingPolicy']} button="routing.edit" label={t('routing.edit')} name={row.name} onClick={() => setEditing(row)} />}
      loaded={loaded}
      busy={list.busy}
      error={list.error}
      empty={t('routing.none')}
    >
      {editing && (
        <PolicyForm
          scope={editing}
          teams={teams}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void load();
          }}
        />
      )}
    </ListPage>
  );
}

function PolicyForm({ scope, teams, onClose, onSaved }: { scope: Scope; teams: Array<{ id: string; name: string }>; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const isNumber = scope.scopeType === 'channel';
  const [kind, setKind] = useState<Kind>(scope.policy?.kind ?? 'round_robin');
  const [teamId, setTeamId] = useState(scope.policy?.teamId ?? '');
  const [fallback, setFallback] = useState<(typeof CHOICES)[number]>(scope.policy?.fallback ?? 'round_robin');
  const [rules, setRules] = useState<Rule[]>((scope.policy?.rules ?? []) as Rule[]);
  const action = useAction();
  const remove = useAction();
  const errors = useFormErrors(action.error, { kind: t('routing.kind'), teamId: t('routing.team'), rules: t('routing.rules') });
  const kinds = isNumber ? KINDS : KINDS.filter((k) => k !== 'skills');
  const setRule = (i: number, patch: Partial<Rule>) => setRules((previous) => previous.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input: RoutingPolicyInput = { kind, teamId: isNumber && teamId ? teamId : null, fallback, rules: kind === 'skills' ? rules : [] };
    if (await action.run(() => routingApi.save(scope.scopeType, scope.scopeId, input))) {
      onSaved();
    }
  }

  async function removePolicy() {
    const removed = await remove.run(async () => {
      await routingApi.remove(scope.scopeType, scope.scopeId);
      return true;
    });
    if (removed) {
      onSaved();
    }
  }

  return (
    <Dialog title={t('routing.editTitle', { name: scope.name })} onClose={onClose} id="routing-dialog">
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
        <FormField id="routing-kind" label={t('routing.kind')} error={errors.field('kind')}>
          {(describedBy, invalid) => (
            <select id="routing-kind" name="kind" aria-describedby={describedBy} aria-invalid={invalid} value={kind} onChange={(event) => setKind(event.target.value as Kind)}>
              {kinds.map((k) => <option key={k} value={k}>{t(`routing.kind.${k}`)}</option>)}
            </select>
          )}
        </FormField>
        {isNumber && (
          <FormField id="routing-team" label={t('routing.team')} error={errors.field('teamId')}>
            {(describedBy, invalid) => (
              <select id="routing-team" name="teamId" aria-describedby={describedBy} aria-invalid={invalid} value={teamId} onChange={(event) => setTeamId(event.target.value)}>
                <option value="">{t('routing.anyTeam')}</option>
                {teams.map((team) => <option key={team.id} value={team.id}>{team.name}</option>)}
              </select>
            )}
          </FormField>
        )}
        {(kind === 'sticky' || kind === 'skills') && (
          <FormField id="routing-fallback" label={t('routing.fallback')}>
            {(describedBy) => (
              <select id="routing-fallback" name="fallback" aria-describedby={describedBy} value={fallback} onChange={(event) => setFallback(event.target.value as (typeof CHOICES)[number])}>
                {CHOICES.map((c) => <option key={c} value={c}>{t(`routing.kind.${c}`)}</option>)}
              </select>
            )}
          </FormField>
        )}
        {kind === 'skills' && (
          <fieldset className="routing-rules">
            <legend>{t('routing.rules')}</legend>
            {rules.map((rule, i) => (
              <div key={i} className="routing-rule" data-rule={i}>
                <label>
                  {t('routing.field')}
                  <select name={`rules.${i}.field`} value={rule.field} onChange={(event) => setRule(i, { field: event.target.value as Rule['field'] })}>
                    {FIELDS.map((f) => <option key={f} value={f}>{t(`routing.field.${f}`)}</option>)}
                  </select>
                </label>
                {rule.field === 'attribute' && (
                  <label>
                    {t('routing.attribute')}
                    <input name={`rules.${i}.attribute`} value={rule.attribute ?? ''} onChange={(event) => setRule(i, { attribute: event.target.value })} />
                  </label>
                )}
                <label>
                  {t('routing.value')}
                  <input name={`rules.${i}.value`} required value={rule.value} onChange={(event) => setRule(i, { value: event.target.value })} />
                </label>
                <label>
                  {t('routing.team')}
                  <select name={`rules.${i}.teamId`} required value={rule.teamId} onChange={(event) => setRule(i, { teamId: event.target.value })}>
                    <option value="" disabled>—</option>
                    {teams.map((team) => <option key={team.id} value={team.id}>{team.name}</option>)}
                  </select>
                </label>
                <label>
                  {t('routing.fallback')}
                  <select name={`rules.${i}.choice`} value={rule.choice ?? 'round_robin'} onChange={(event) => setRule(i, { choice: event.target.value as Rule['choice'] })}>
                    {CHOICES.map((c) => <option key={c} value={c}>{t(`routing.kind.${c}`)}</option>)}
                  </select>
                </label>
                <button type="button" className="button-link danger" data-button="routing.removeRule" onClick={() => setRules((previous) => previous.filter((_, j) => j !== i))}>
                  {t('routing.removeRule')}
                </button>
              </div>
            ))}
            <button type="button" className="button-secondary" data-button="routing.addRule" onClick={() => setRules((previous) => [...previous, { field: 'keyword', value: '', teamId: teams[0]?.id ?? '', choice: 'round_robin' }])}>
              {t('routing.addRule')}
            </button>
          </fieldset>
        )}
        <ErrorAlert error={action.error ?? remove.error} form={errors} />
        {scope.policy && (
          <Can I="update" a="RoutingPolicy">
            <button type="button" className="button-link danger" data-button="routing.remove" disabled={remove.busy} onClick={() => void removePolicy()}>
              {t('routing.remove')}
            </button>
          </Can>
        )}
        <FormActions onCancel={onClose} disabled={action.busy} can={['update', 'RoutingPolicy']} button="routing.submit" label={t('common.save')} />
      </form>
    </Dialog>
  );
}
