import { useState } from 'react';
import type { FormEvent } from 'react';
import { rowSubject } from '../../ability';
import { useSession } from '../../auth';
import { MACRO_ACTION_TYPES, macrosApi, type Macro, type MacroAction, type MacroActionType } from '../../cannedApi';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { useFormErrors } from '../../useFormErrors';
import { Can } from '../Can';
import { Dialog } from '../Dialog';
import { ErrorAlert } from '../ErrorAlert';
import { FormActions } from '../FormActions';
import { FormField } from '../FormField';
import type { MacroOptions } from './useMacroOptions';

/** A step as the form edits it: every field a step type may need, kept while the type changes. */
type Draft = { type: MacroActionType; labelId: string; teamId: string; text: string; cannedId: string };

const draftOf = (a: MacroAction): Draft => ({
  type: a.type,
  labelId: 'labelId' in a ? a.labelId : '',
  teamId: 'teamId' in a ? a.teamId : '',
  text: 'text' in a ? a.text : '',
  cannedId: 'cannedId' in a ? a.cannedId : '',
});

function actionOf(d: Draft): MacroAction {
  switch (d.type) {
    case 'add_label':
    case 'remove_label':
      return { type: d.type, labelId: d.labelId };
    case 'assign_team':
      return { type: d.type, teamId: d.teamId };
    case 'send_text':
      return { type: d.type, text: d.text.trim() };
    case 'send_canned':
      return { type: d.type, cannedId: d.cannedId };
    case 'resolve':
      return { type: d.type };
  }
}

const emptyDraft = (type: MacroActionType): Draft => ({ type, labelId: '', teamId: '', text: '', cannedId: '' });

/** Creates or edits a macro: its name, whether it is shared, and its ordered steps. */
export function MacroForm({ macro, options, onClose, onSaved }: { macro: Macro | null; options: MacroOptions; onClose: () => void; onSaved: (m: Macro) => void }) {
  const { t } = useI18n();
  const { ability } = useSession();
  const mayShare = ability.can('create', rowSubject('Macro', { ownerId: null }));
  const [name, setName] = useState(macro?.name ?? '');
  const [shared, setShared] = useState(false);
  const [steps, setSteps] = useState<Draft[]>(macro ? macro.actions.map(draftOf) : [emptyDraft('add_label')]);
  const action = useAction();
  const errors = useFormErrors(action.error, { name: t('macros.name'), actions: t('macros.steps') });
  // A shared macro may only send shared responses (others could not use the personal ones).
  const isShared = macro ? macro.shared : shared;
  const canned = options.canned.filter((c) => c.shared || !isShared);

  const change = (index: number, patch: Partial<Draft>) => setSteps((current) => current.map((s, i) => (i === index ? { ...s, ...patch } : s)));
  const move = (index: number) => setSteps((current) => (index === 0 ? current : [...current.slice(0, index - 1), current[index]!, current[index - 1]!, ...current.slice(index + 1)]));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = { name: name.trim(), actions: steps.map(actionOf) };
    const result = await action.run(() => (macro ? macrosApi.update(macro.id, input) : macrosApi.create({ ...input, shared })));
    if (result) {
      onSaved(result.macro);
    }
  }

  return (
    <Dialog title={macro ? t('macros.editTitle', { name: macro.name }) : t('macros.createTitle')} onClose={onClose} id="macro-dialog">
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
        <FormField id="macro-name" label={t('macros.name')} error={errors.field('name')}>
          {(describedBy, invalid) => (
            <input id="macro-name" name="name" required maxLength={100} autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={name} onChange={(event) => setName(event.target.value)} />
          )}
        </FormField>
        {!macro && mayShare && (
          <label className="checkbox" htmlFor="macro-shared">
            <input id="macro-shared" name="shared" type="checkbox" checked={shared} onChange={(event) => setShared(event.target.checked)} />
            {t('macros.shareWithEveryone')}
          </label>
        )}
        <fieldset className="macro-steps" aria-describedby="macro-steps-hint">
          <legend>{t('macros.steps')}</legend>
          <p id="macro-steps-hint" className="hint">{t('macros.stepsHint')}</p>
          <ol>
            {steps.map((step, index) => (
              <li key={index} className="macro-step" data-step={index}>
                <label className="visually-hidden" htmlFor={`macro-step-${index}-type`}>{t('macros.stepType', { n: index + 1 })}</label>
                <select id={`macro-step-${index}-type`} value={step.type} onChange={(event) => change(index, { type: event.target.value as MacroActionType })}>
                  {MACRO_ACTION_TYPES.map((type) => (
                    <option key={type} value={type}>{t(`macros.type.${type}`)}</option>
                  ))}
                </select>
                <StepValue index={index} step={step} options={{ ...options, canned }} onChange={(patch) => change(index, patch)} />
                <div className="macro-step-buttons">
                  <button type="button" className="button-link" disabled={index === 0} onClick={() => move(index)} data-ui="macros.moveUp">
                    {t('macros.moveUp')}<span className="visually-hidden"> {index + 1}</span>
                  </button>
                  <Can I={macro ? 'update' : 'create'} a="Macro">
                    <button type="button" className="button-link danger" disabled={steps.length === 1} onClick={() => setSteps((current) => current.filter((_, i) => i !== index))} data-button="macros.removeStep">
                      {t('macros.removeStep')}<span className="visually-hidden"> {index + 1}</span>
                    </button>
                  </Can>
                </div>
              </li>
            ))}
          </ol>
          <Can I={macro ? 'update' : 'create'} a="Macro">
            <button type="button" className="button-secondary" disabled={steps.length >= 10} onClick={() => setSteps((current) => [...current, emptyDraft('resolve')])} data-button="macros.addStep">
              {t('macros.addStep')}
            </button>
          </Can>
          {errors.field('actions') && <p className="field-error" role="alert">{errors.field('actions')}</p>}
        </fieldset>
        <ErrorAlert error={action.error} form={errors} />
        <FormActions
          onCancel={onClose}
          disabled={action.busy}
          can={macro ? ['update', 'Macro'] : ['create', 'Macro']}
          button={macro ? 'macros.submitEdit' : 'macros.submitCreate'}
          label={macro ? t('common.save') : t('macros.create')}
        />
      </form>
    </Dialog>
  );
}

/** The value a step takes: a label, a team, a text or a canned response (resolve takes none). */
function StepValue({ index, step, options, onChange }: { index: number; step: Draft; options: MacroOptions; onChange: (patch: Partial<Draft>) => void }) {
  const { t } = useI18n();
  const id = `macro-step-${index}-value`;
  const select = (value: string, key: 'labelId' | 'teamId' | 'cannedId', items: Array<{ id: string; label: string }>) => (
    <>
      <label className="visually-hidden" htmlFor={id}>{t(`macros.value.${key}`)}</label>
      <select id={id} required value={value} onChange={(event) => onChange({ [key]: event.target.value })}>
        <option value="">{t('macros.choose')}</option>
        {items.map((item) => (
          <option key={item.id} value={item.id}>{item.label}</option>
        ))}
      </select>
    </>
  );
  switch (step.type) {
    case 'add_label':
    case 'remove_label':
      return select(step.labelId, 'labelId', options.labels.map((l) => ({ id: l.id, label: l.name })));
    case 'assign_team':
      return select(step.teamId, 'teamId', options.teams.map((team) => ({ id: team.id, label: team.name ?? team.id })));
    case 'send_canned':
      return select(step.cannedId, 'cannedId', options.canned.map((c) => ({ id: c.id, label: `/${c.shortcut} · ${c.title}` })));
    case 'send_text':
      return (
        <>
          <label className="visually-hidden" htmlFor={id}>{t('macros.value.text')}</label>
          <textarea id={id} required rows={2} maxLength={4000} placeholder={t('canned.variablesHint')} value={step.text} onChange={(event) => onChange({ text: event.target.value })} />
        </>
      );
    case 'resolve':
      return null;
  }
}
