import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useCurrentUser, useSession } from '../../auth';
import { conversationsApi, teamsApi } from '../../endpoints';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { useFormErrors } from '../../useFormErrors';
import type { ConversationSummary, Team } from '../../types';
import { Dialog } from '../Dialog';
import { ErrorAlert } from '../ErrorAlert';
import { FormActions } from '../FormActions';
import { FormField } from '../FormField';

type Assignee = { id: string; name: string };

/**
 * The users the conversation may go to, as the server judges them: active, and with roles that
 * would let them read and reply in it once it is theirs (in `teamId`, for a transfer there).
 */
function useAssignees(conversationId: string, purpose: 'assign' | 'transfer', teamId = ''): { users: Assignee[]; loading: boolean; error: unknown } {
  const [state, setState] = useState<{ users: Assignee[]; loading: boolean; error: unknown }>({ users: [], loading: true, error: null });
  useEffect(() => {
    let live = true;
    setState((current) => ({ ...current, loading: true }));
    conversationsApi.assignees(conversationId, purpose, teamId).then(
      (page) => live && setState({ users: page.items, loading: false, error: null }),
      (error: unknown) => live && setState({ users: [], loading: false, error }),
    );
    return () => {
      live = false;
    };
  }, [conversationId, purpose, teamId]);
  return state;
}

/** The people a conversation may go to, oneself named as such. */
function AssigneeOptions({ users }: { users: Assignee[] }) {
  const { t } = useI18n();
  const me = useCurrentUser();
  return (
    <>
      {users.map((user) => (
        <option key={user.id} value={user.id}>
          {user.id === me.id ? t('inbox.me', { name: user.name }) : user.name}
        </option>
      ))}
    </>
  );
}

interface DialogProps {
  conversation: ConversationSummary;
  onDone: (conversation: ConversationSummary) => void;
  onClose: () => void;
}

/** Assign the conversation to someone who could work it (oneself included), or to nobody. */
export function AssignDialog({ conversation, onDone, onClose }: DialogProps) {
  const { t } = useI18n();
  const me = useCurrentUser();
  const { users, loading, error } = useAssignees(conversation.id, 'assign');
  const [assigneeId, setAssigneeId] = useState(conversation.assignee?.id ?? '');
  const action = useAction();
  const errors = useFormErrors(action.error, { assigneeId: t('inbox.assignee') });
  const current = conversation.assignee;

  // An unassigned conversation is offered to oneself first, when one could work it.
  useEffect(() => {
    if (!current && users.some((user) => user.id === me.id)) {
      setAssigneeId((chosen) => chosen || me.id);
    }
  }, [current, users, me.id]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await action.run(() => conversationsApi.assign(conversation.id, assigneeId || null));
    if (result) {
      onDone(result.conversation);
    }
  }

  return (
    <Dialog title={t('inbox.assignTitle')} onClose={onClose} id="assign-dialog">
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
        <FormField
          id="assign-user"
          label={t('inbox.assignee')}
          error={errors.field('assigneeId')}
          after={loading ? <p className="hint">{t('common.loading')}</p> : !error && users.length === 0 && <p className="hint">{t('inbox.noAssignees')}</p>}
        >
          {(describedBy, invalid) => (
            <select id="assign-user" name="assigneeId" aria-describedby={describedBy} aria-invalid={invalid} value={assigneeId} onChange={(event) => setAssigneeId(event.target.value)}>
              <option value="">{t('inbox.unassigned')}</option>
              {current && !users.some((user) => user.id === current.id) && <option value={current.id}>{current.name}</option>}
              <AssigneeOptions users={users} />
            </select>
          )}
        </FormField>
        <ErrorAlert error={error ?? action.error} form={errors} />
        <FormActions onCancel={onClose} disabled={action.busy} can={['assign', 'Conversation']} button="inbox.confirmAssign" label={t('inbox.assign')} />
      </form>
    </Dialog>
  );
}

/** Hand the conversation over to another agent and/or a team the user may see. */
export function TransferDialog({ conversation, onDone, onClose }: DialogProps) {
  const { t } = useI18n();
  const { ability } = useSession();
  const canReadTeams = ability.can('read', 'Team');
  const [teams, setTeams] = useState<Team[]>([]);
  const [assigneeId, setAssigneeId] = useState('');
  const [teamId, setTeamId] = useState('');
  // Who could work it once it is in the chosen team.
  const { users, loading, error } = useAssignees(conversation.id, 'transfer', teamId);
  const action = useAction();
  const errors = useFormErrors(action.error, { assigneeId: t('inbox.transferToAgent'), ...(canReadTeams ? { teamId: t('inbox.transferToTeam') } : {}) });

  useEffect(() => {
    if (!canReadTeams) {
      return undefined;
    }
    let live = true;
    // The server lists only the teams this user may see.
    teamsApi.list().then(
      (page) => live && setTeams(page.items),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [canReadTeams]);

  // A person chosen for one team may not be able to work it in another.
  useEffect(() => {
    if (!loading && assigneeId && !users.some((user) => user.id === assigneeId)) {
      setAssigneeId('');
    }
  }, [users, loading, assigneeId]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!assigneeId && !teamId) {
      return;
    }
    const target = { ...(assigneeId ? { assigneeId } : {}), ...(teamId ? { teamId } : {}) };
    const result = await action.run(() => conversationsApi.transfer(conversation.id, target));
    if (result) {
      onDone(result.conversation);
    }
  }

  const candidates = users.filter((user) => user.id !== conversation.assignee?.id);

  return (
    <Dialog title={t('inbox.transferTitle')} onClose={onClose} id="transfer-dialog">
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
        <p className="hint">{t('inbox.transferHint')}</p>
        {canReadTeams && (
          <FormField id="transfer-team" label={t('inbox.transferToTeam')} error={errors.field('teamId')}>
            {(describedBy, invalid) => (
              <select id="transfer-team" name="teamId" aria-describedby={describedBy} aria-invalid={invalid} value={teamId} onChange={(event) => setTeamId(event.target.value)}>
                <option value="">{t('inbox.noTeam')}</option>
                {teams.map((team) => (
                  <option key={team.id} value={team.id}>
                    {team.name}
                  </option>
                ))}
              </select>
            )}
          </FormField>
        )}
        <FormField id="transfer-user" label={t('inbox.transferToAgent')} error={errors.field('assigneeId')} after={loading && <p className="hint">{t('common.loading')}</p>}>
          {(describedBy, invalid) => (
            <select id="transfer-user" name="assigneeId" aria-describedby={describedBy} aria-invalid={invalid} value={assigneeId} onChange={(event) => setAssigneeId(event.target.value)}>
              <option value="">{t('inbox.nobodyInParticular')}</option>
              <AssigneeOptions users={candidates} />
            </select>
          )}
        </FormField>
        <ErrorAlert error={error ?? action.error} form={errors} />
        <FormActions onCancel={onClose} disabled={action.busy || (!assigneeId && !teamId)} can={['transfer', 'Conversation']} button="inbox.confirmTransfer" label={t('inbox.transfer')} />
      </form>
    </Dialog>
  );
}
