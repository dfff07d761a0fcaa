import { useState } from 'react';
import type { FormEvent } from 'react';
import { usersApi } from '../endpoints';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { useFormErrors } from '../useFormErrors';
import type { Lookups } from '../lookups';
import type { Readable, User } from '../types';
import { CheckboxGroup } from './CheckboxGroup';
import { Dialog } from './Dialog';
import { ErrorAlert } from './ErrorAlert';
import { FormActions } from './FormActions';
import { FormField } from './FormField';

interface UserFormProps {
  /** The user to edit (as the viewer may read them); absent to create one. */
  user?: Readable<User>;
  lookups: Lookups;
  onCreated: (user: Readable<User>, temporaryPassword: string) => void;
  onSaved: (user: Readable<User>) => void;
  onClose: () => void;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

/** Create or edit a user: email (create only), name, roles and teams. */
export function UserForm({ user, lookups, onCreated, onSaved, onClose }: UserFormProps) {
  const { t } = useI18n();
  const [email, setEmail] = useState(user?.email ?? '');
  const [name, setName] = useState(user?.name ?? '');
  const [roleIds, setRoleIds] = useState<string[]>(user?.roleIds ?? []);
  const [teamIds, setTeamIds] = useState<string[]>(user?.teamIds ?? []);
  // A user without a role can sign in but do nothing: creating one takes a second, explicit press.
  const [noRoleAsked, setNoRoleAsked] = useState(false);
  const action = useAction();
  const confirmingNoRole = !user && noRoleAsked && roleIds.length === 0;
  const errors = useFormErrors(action.error, { email: t('users.email'), name: t('users.name') });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (user) {
      // Send only what changed: the server may audit (or forbid) each field separately.
      const patch: { name?: string; roleIds?: string[]; teamIds?: string[] } = {};
      if (name.trim() !== (user.name ?? '')) {
        patch.name = name.trim();
      }
      if (!sameSet(roleIds, user.roleIds ?? [])) {
        patch.roleIds = roleIds;
      }
      if (!sameSet(teamIds, user.teamIds ?? [])) {
        patch.teamIds = teamIds;
      }
      if (Object.keys(patch).length === 0) {
        onClose();
        return;
      }
      const result = await action.run(() => usersApi.update(user.id, patch));
      if (result) {
        onSaved(result.user);
      }
      return;
    }
    if (roleIds.length === 0 && !confirmingNoRole) {
      setNoRoleAsked(true);
      return;
    }
    const result = await action.run(() => usersApi.create({ email: email.trim(), name: name.trim(), roleIds, teamIds }));
    if (result) {
      onCreated(result.user, result.temporaryPassword);
    }
  }

  return (
    <Dialog
      title={user ? t('users.editTitle', { email: user.email ?? '' }) : t('users.createTitle')}
      onClose={onClose}
      id="user-dialog"
    >
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
        <FormField id="user-email" label={t('users.email')} error={errors.field('email')}>
          {(describedBy, invalid) => (
            <input
              id="user-email"
              name="email"
              type="email"
              autoComplete="off"
              required
              readOnly={Boolean(user)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
          )}
        </FormField>
        <FormField id="user-name" label={t('users.name')} error={errors.field('name')}>
          {(describedBy, invalid) => (
            <input
              id="user-name"
              name="name"
              autoComplete="off"
              required
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          )}
        </FormField>
        <div className="field-row">
          <CheckboxGroup
            legend={t('users.roles')}
            name="role"
            // Only roles the signed-in user may give (and those the user already has, to keep or remove).
            options={lookups.roles
              .filter((role) => role.grantable || user?.roleIds?.includes(role.id))
              .map((role) => ({ id: role.id, label: lookups.roleName(role.id) }))}
            value={roleIds}
            onChange={setRoleIds}
            emptyText={t('users.noRolesAvailable')}
          />
          <CheckboxGroup
            legend={t('users.teams')}
            name="team"
            options={lookups.teams.map((team) => ({ id: team.id, label: team.name }))}
            value={teamIds}
            onChange={setTeamIds}
            emptyText={t('users.noTeamsAvailable')}
          />
        </div>
        {!user && <p className="hint">{t('users.createHint')}</p>}
        <div role="alert" id="user-no-role">
          {confirmingNoRole && <p className="alert alert-warning">{t('users.noRoleConfirm')}</p>}
        </div>
        <ErrorAlert error={action.error} form={errors} />
        <FormActions
          onCancel={onClose}
          disabled={action.busy}
          can={user ? ['update', 'User'] : ['create', 'User']}
          button={user ? 'users.submitEdit' : 'users.submitCreate'}
          label={user ? t('common.save') : confirmingNoRole ? t('users.createWithoutRole') : t('users.create')}
        />
      </form>
    </Dialog>
  );
}
