import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useCurrentUser, useSession } from '../../auth';
import { conversationsApi, teamsApi, usersApi } from '../../endpoints';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { useFormErrors } from '../../useFormErrors';
import type { ConversationSummary, Team, User } from '../../types';
import { Dialog } from '../Dialog';
import { ErrorAlert } from '../ErrorAlert';
import { FormActions } from '../FormActions';
import { FormField } from '../FormField';

const MAX_USER_PAGES = 20;

/** Active users to assign to (all pages, up to a sane cap), when the viewer may read users. */
function useActiveUsers(): { users: User[]; loading: boolean } {
  const { ability } = useSession();
  const canRead = ability.can('read', 'User');
  const [users, setUsers] = useState<User[]>([]);
  const [loading, setLoading] = useState(canRead);

  useEffect(() => {
    if (!canRead) {
      return undefined;
    }
    let live = true;
    void (async () => {
      const all: User[] = [];
      let cursor: string | null = null;
      try {
        for (let page = 0; page < MAX_USER_PAGES; page += 1) {
          const result = await usersApi.list({ status: 'active', cursor });
          all.push(...result.items);
          cursor = result.nextCursor;
          if (!cursor) {
            break;
          }
        }
      } catch {
        // Offer what was loaded, plus "me" and "nobody".
      }
      if (live) {
        setUsers(all.filter((user) => user.status === 'active'));
        setLoading(false);
      }
    })();
    return () => {
      live = false;
    };
  }, [canRead]);

  return { users, loading };
}

function userLabel(user: Pick<User, 'name' | 'email'>): string {
  return user.name || user.email;
}

interface DialogProps {
  conversation: ConversationSummary;
  onDone: (conversation: ConversationSummary) => void;
  onClose: () => void;
}

/** Assign the conversation to an agent, to oneself, or to nobody. */
export function AssignDialog({ conversation, onDone, onClose }: DialogProps) {
  const { t } = useI18n();
  const me = useCurrentUser();
  const { users, loading } = useActiveUsers();
  const [assigneeId, setAssigneeId] = useState(conversation.assignee?.id ?? me.id);
  const action = useAction();
  const errors = useFormErrors(action.error, { assigneeId: t('inbox.assignee') });
  const others = users.filter((user) => user.id !== me.id);
  const current = conversation.assignee;

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
        <FormField id="assign-user" label={t('inbox.assignee')} error={errors.field('assigneeId')} after={loading && <p className="hint">{t('common.loading')}</p>}>
          {(describedBy, invalid) => (
            <select id="assign-user" name="assigneeId" aria-describedby={describedBy} aria-invalid={invalid} value={assigneeId} onChange={(event) => setAssigneeId(event.target.value)}>
              <option value="">{t('inbox.unassigned')}</option>
              <option value={me.id}>{t('inbox.me', { name: userLabel(me) })}</option>
              {current && current.id !== me.id && !others.some((user) => user.id === current.id) && <option value={current.id}>{current.name}</option>}
              {others.map((user) => (
                <option key={user.id} value={user.id}>
                  {userLabel(user)}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <ErrorAlert error={action.error} form={errors} />
        <FormActions onCancel={onClose} disabled={action.busy} can={['assign', 'Conversation']} button="inbox.confirmAssign" label={t('inbox.assign')} />
      </form>
    </Dialog>
  );
}

/** Hand the conversation over to another agent and/or a team. */
export function TransferDialog({ conversation, onDone, onClose }: DialogProps) {
  const { t } = useI18n();
  const { ability } = useSession();
  const me = useCurrentUser();
  const canReadTeams = ability.can('read', 'Team');
  const { users, loading } = useActiveUsers();
  const [teams, setTeams] = useState<Team[]>([]);
  const [assigneeId, setAssigneeId] = useState('');
  const [teamId, setTeamId] = useState('');
  const action = useAction();
  const errors = useFormErrors(action.error, { assigneeId: t('inbox.transferToAgent'), ...(canReadTeams ? { teamId: t('inbox.transferToTeam') } : {}) });

  useEffect(() => {
    if (!canReadTeams) {
      return undefined;
    }
    let live = true;
    teamsApi.list().then(
      (page) => live && setTeams(page.items),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [canReadTeams]);

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
        <FormField id="transfer-user" label={t('inbox.transferToAgent')} error={errors.field('assigneeId')} after={loading && <p className="hint">{t('common.loading')}</p>}>
          {(describedBy, invalid) => (
            <select id="transfer-user" name="assigneeId" aria-describedby={describedBy} aria-invalid={invalid} value={assigneeId} onChange={(event) => setAssigneeId(event.target.value)}>
              <option value="">{t('inbox.nobodyInParticular')}</option>
              {!users.some((user) => user.id === me.id) && conversation.assignee?.id !== me.id && <option value={me.id}>{t('inbox.me', { name: userLabel(me) })}</option>}
              {candidates.map((user) => (
                <option key={user.id} value={user.id}>
                  {user.id === me.id ? t('inbox.me', { name: userLabel(user) }) : userLabel(user)}
                </option>
              ))}
            </select>
          )}
        </FormField>
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
        <ErrorAlert error={action.error} form={errors} />
        <FormActions onCancel={onClose} disabled={action.busy || (!assigneeId && !teamId)} can={['transfer', 'Conversation']} button="inbox.confirmTransfer" label={t('inbox.transfer')} />
      </form>
    </Dialog>
  );
}
