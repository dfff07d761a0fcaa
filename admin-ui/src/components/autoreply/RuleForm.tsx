import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useSession } from '../../auth';
import { autoReplyApi, channelsApi } from '../../endpoints';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import type { AutoReplyRule } from '../../types';
import { useFormErrors } from '../../useFormErrors';
import { CheckboxGroup } from '../CheckboxGroup';
import { Dialog } from '../Dialog';
import { ErrorAlert } from '../ErrorAlert';
import { FormActions } from '../FormActions';
import { FormField } from '../FormField';
import { AnswerFields } from './AnswerFields';
import { answerOf, draftOf, type AnswerDraft } from './answerDraft';

type Mode = AutoReplyRule['mode'];
const MODES: Mode[] = ['contains', 'word', 'exact', 'regex'];

/** Adds a rule, or changes one (`rule`, shown with its current answer in its kind), and the numbers it answers on. */
export function RuleDialog({ rule, onClose, onSaved }: { rule: AutoReplyRule | null; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const { ability } = useSession();
  const [name, setName] = useState(rule?.name ?? '');
  const [mode, setMode] = useState<Mode>(rule?.mode ?? 'word');
  const [keywords, setKeywords] = useState(rule?.keywords.join('\n') ?? '');
  const [priority, setPriority] = useState(rule?.priority ?? 0);
  const [cooldown, setCooldown] = useState(Math.round((rule?.cooldownSeconds ?? 3600) / 60));
  const [channelIds, setChannelIds] = useState<string[]>(rule?.channelIds ?? []);
  const [channels, setChannels] = useState<Array<{ id: string; label: string }>>([]);
  const [answer, setAnswer] = useState<AnswerDraft>(() => draftOf(rule));
  const saving = useAction();
  const uploading = useAction();
  const loading = useAction();
  const { run } = loading;
  const mayReadNumbers = ability.can('read', 'Channel');

  useEffect(() => {
    if (mayReadNumbers) {
      void run(async () => setChannels((await channelsApi.list()).items.map((c) => ({ id: c.id, label: c.displayNumber ? `${c.name} (${c.displayNumber})` : c.name }))));
    }
  }, [mayReadNumbers, run]);

  // The fields on the form now, so each refusal shows beside its field (the rest in the alert).
  const numberLabels = Object.fromEntries(channelIds.map((_, i) => [`channelIds.${i}`, t('autoreply.numbers')]));
  const errors = useFormErrors(saving.error, {
    name: t('autoreply.name'), mode: t('autoreply.mode'), priority: t('autoreply.priority'), cooldownSeconds: t('autoreply.cooldown'), keywords: t('autoreply.keywords'),
    ...Object.fromEntries(keywords.split('\n').map((_, i) => [`keywords.${i}`, t('autoreply.keywords')])),
    channelIds: t('autoreply.numbers'), ...numberLabels,
    answer: t('autoreply.kind'), 'answer.text': t('autoreply.text'), 'answer.buttons': t('autoreply.buttons'), 'answer.mediaId': t('autoreply.file'), 'answer.caption': t('autoreply.caption'),
    'answer.templateId': t('autoreply.template'), 'answer.parameters': t('autoreply.template.variables'), 'answer.integrationId': t('autoreply.integration'),
    ...Object.fromEntries(answer.parameters.map((_, i) => [`answer.parameters.${i}`, t('autoreply.template.variable', { n: i + 1 })])),
  });
  const err = errors.field;
  const keywordError = err('keywords') ?? keywords.split('\n').map((_, i) => err(`keywords.${i}`)).find(Boolean) ?? null;
  const numbersError = err('channelIds') ?? channelIds.map((_, i) => err(`channelIds.${i}`)).find(Boolean) ?? null;
  const ruleNumbers = channels.filter((c) => channelIds.includes(c.id));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const list = keywords.split('\n').map((k) => k.trim()).filter(Boolean);
    const fields = { name, mode, keywords: list, priority, cooldownSeconds: cooldown * 60, channelIds, answer: answerOf(answer) };
    const saved = await saving.run(() => (rule ? autoReplyApi.update(rule.id, fields) : autoReplyApi.create(fields)));
    if (saved) {
      onSaved();
    }
  }

  return (
    <Dialog title={rule ? t('autoreply.editTitle') : t('autoreply.addTitle')} onClose={onClose} id="autoreply-rule-dialog">
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
        <FormField id="autoreply-name" label={t('autoreply.name')} error={err('name')}>
          {(describedBy, invalid) => <input id="autoreply-name" name="name" required maxLength={120} aria-describedby={describedBy} aria-invalid={invalid} value={name} onChange={(event) => setName(event.target.value)} />}
        </FormField>
        <div className="field-row">
          <FormField id="autoreply-mode" label={t('autoreply.mode')}>
            {(describedBy) => (
              <select id="autoreply-mode" name="mode" aria-describedby={describedBy} value={mode} onChange={(event) => setMode(MODES.find((m) => m === event.target.value) ?? 'word')}>
                {MODES.map((m) => <option key={m} value={m}>{t(`autoreply.mode.${m}`)}</option>)}
              </select>
            )}
          </FormField>
          <FormField id="autoreply-priority" label={t('autoreply.priority')} error={err('priority')}>
            {(describedBy, invalid) => <input id="autoreply-priority" name="priority" type="number" min={-1000} max={1000} aria-describedby={describedBy} aria-invalid={invalid} value={priority} onChange={(event) => setPriority(Number(event.target.value))} />}
          </FormField>
          <FormField id="autoreply-cooldown" label={t('autoreply.cooldown')} error={err('cooldownSeconds')}>
            {(describedBy, invalid) => <input id="autoreply-cooldown" name="cooldown" type="number" min={0} max={43200} aria-describedby={describedBy} aria-invalid={invalid} value={cooldown} onChange={(event) => setCooldown(Number(event.target.value))} />}
          </FormField>
        </div>
        <FormField id="autoreply-keywords" label={t('autoreply.keywords')} hint={t('autoreply.keywordsHint')} error={keywordError}>
          {(describedBy, invalid) => <textarea id="autoreply-keywords" name="keywords" rows={3} required aria-describedby={describedBy} aria-invalid={invalid} value={keywords} onChange={(event) => setKeywords(event.target.value)} />}
        </FormField>
        <div className="field" id="autoreply-numbers">
          <CheckboxGroup legend={t('autoreply.numbers')} name="autoreply-channel" options={channels} value={channelIds} onChange={setChannelIds} emptyText={!mayReadNumbers ? t('autoreply.numbersNotAllowed') : loading.busy ? t('common.loading') : t('autoreply.numbersNone')} />
          <p className="hint" id="autoreply-numbers-hint">{answer.kind === 'template' ? t('autoreply.numbersHintTemplate') : t('autoreply.numbersHint')}</p>
          {numbersError && <p className="field-error" id="autoreply-numbers-error">{numbersError}</p>}
        </div>
        <AnswerFields draft={answer} set={(patch) => setAnswer((d) => ({ ...d, ...patch }))} numbers={ruleNumbers} field={err} uploading={uploading} currentName={rule?.answerName ?? null} />
        <ErrorAlert error={saving.error ?? loading.error} form={errors} />
        {rule ? (
          <FormActions onCancel={onClose} disabled={saving.busy || uploading.busy} can={['update', 'AutoReplyRule']} button="autoreply.submitEdit" label={t('common.save')} />
        ) : (
          <FormActions onCancel={onClose} disabled={saving.busy || uploading.busy} can={['create', 'AutoReplyRule']} button="autoreply.submitCreate" label={t('autoreply.add')} />
        )}
      </form>
    </Dialog>
  );
}
