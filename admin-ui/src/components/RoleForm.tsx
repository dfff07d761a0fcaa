import { useState } from 'react';
import type { FormEvent } from 'react';
import { rolesApi } from '../endpoints';
import { toggle, useAction } from '../hooks';
import { useI18n } from '../i18n';
import { useFormErrors } from '../useFormErrors';
import { buildRules, groupBySubject, parseAdvancedRules, splitRules, subjectName } from '../permissions';
import type { CatalogueAction, Role, SubjectLabels } from '../types';
import { Dialog } from './Dialog';
import { ErrorAlert } from './ErrorAlert';
import { FormActions } from './FormActions';
import { FormField } from './FormField';

interface RoleFormProps {
  /** The custom role to edit; absent to create one. */
  role?: Role;
  catalogue: CatalogueAction[];
  subjects: SubjectLabels;
  onSaved: (role: Role) => void;
  onClose: () => void;
}

/** Create or edit a custom role: one checkbox per catalogue action, plus raw CASL rules. */
export function RoleForm({ role, catalogue, subjects, onSaved, onClose }: RoleFormProps) {
  const { t, lang } = useI18n();
  const [initial] = useState(() => splitRules(role?.rules ?? [], catalogue));
  const [key, setKey] = useState(role?.key ?? '');
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [checked, setChecked] = useState<string[]>(initial.checked);
  const [advanced, setAdvanced] = useState(initial.advanced.length ? JSON.stringify(initial.advanced, null, 2) : '');
  const [jsonError, setJsonError] = useState<string | null>(null);
  const action = useAction();
  const errors = useFormErrors(action.error, { key: t('roles.key'), name: t('roles.name'), description: t('roles.description') });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = parseAdvancedRules(advanced);
    if (!parsed.ok) {
      setJsonError(t(parsed.error, { index: parsed.index ?? 0 }));
      return;
    }
    setJsonError(null);
    const rules = buildRules(checked, catalogue, parsed.rules);
    const input = { name: name.trim(), description: description.trim(), rules };
    const result = await action.run(() => (role ? rolesApi.update(role.id, input) : rolesApi.create({ ...input, key: key.trim() })));
    if (result) {
      onSaved(result.role);
    }
  }

  return (
    <Dialog title={role ? t('roles.editTitle', { name: role.name }) : t('roles.createTitle')} onClose={onClose} id="role-dialog" wide>
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
        <div className="field-row">
          <FormField id="role-key" label={t('roles.key')} hint={t('roles.keyHint')} error={errors.field('key')}>
            {(describedBy, invalid) => (
              <input
                id="role-key"
                name="key"
                required
                readOnly={Boolean(role)}
                pattern="[a-z][a-z0-9\-]{1,39}"
                aria-describedby={describedBy}
                aria-invalid={invalid}
                autoComplete="off"
                value={key}
                onChange={(event) => setKey(event.target.value)}
              />
            )}
          </FormField>
          <FormField id="role-name" label={t('roles.name')} error={errors.field('name')}>
            {(describedBy, invalid) => (
              <input id="role-name" name="name" required autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={name} onChange={(event) => setName(event.target.value)} />
            )}
          </FormField>
        </div>
        <FormField id="role-description" label={t('roles.description')} error={errors.field('description')}>
          {(describedBy, invalid) => (
            <textarea id="role-description" name="description" rows={2} aria-describedby={describedBy} aria-invalid={invalid} value={description} onChange={(event) => setDescription(event.target.value)} />
          )}
        </FormField>
        <fieldset className="permission-picker">
          <legend>{t('roles.permissions')}</legend>
          {groupBySubject(catalogue).map(([subject, entries]) => (
            <fieldset key={subject} className="checkbox-group">
              <legend>{subjectName(subjects, subject, lang)}</legend>
              {entries.map((entry) => {
                const inputId = `permission-${entry.key}`;
                return (
                  <div className="checkbox" key={entry.key}>
                    <input
                      type="checkbox"
                      id={inputId}
                      name="permission"
                      value={entry.key}
                      checked={checked.includes(entry.key)}
                      onChange={(event) => setChecked(toggle(checked, entry.key, event.target.checked))}
                    />
                    <label htmlFor={inputId}>
                      {entry.labels[lang] || entry.labels.en || entry.key} <code className="muted">{entry.key}</code>
                    </label>
                  </div>
                );
              })}
            </fieldset>
          ))}
        </fieldset>
        <details className="advanced" open={initial.advanced.length > 0}>
          <summary>{t('roles.advanced')}</summary>
          <FormField id="role-rules-json" label={t('roles.advancedLabel')} hint={t('roles.advancedHint')}>
            {(describedBy) => (
              <textarea
                id="role-rules-json"
                name="rules"
                rows={8}
                spellCheck={false}
                className="mono"
                aria-describedby={describedBy}
                // The parse error shows in an alert under the form: the details may be closed.
                aria-invalid={jsonError !== null}
                value={advanced}
                onChange={(event) => setAdvanced(event.target.value)}
              />
            )}
          </FormField>
        </details>
        {jsonError && (
          <div role="alert" className="alert alert-error">
            <p>{jsonError}</p>
          </div>
        )}
        <ErrorAlert error={action.error} form={errors} />
        <FormActions
          onCancel={onClose}
          disabled={action.busy}
          can={role ? ['update', 'Role'] : ['create', 'Role']}
          button={role ? 'roles.submitEdit' : 'roles.submitCreate'}
          label={role ? t('common.save') : t('roles.create')}
        />
      </form>
    </Dialog>
  );
}
