import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { holdsApi } from '../endpoints';
import { fieldError } from '../errors';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { LegalHold, LegalHoldInput, LegalHoldOptions } from '../types';
import { CheckboxGroup } from './CheckboxGroup';
import { Dialog } from './Dialog';
import { ErrorAlert } from './ErrorAlert';
import { FormActions } from './FormActions';
import { FormField } from './FormField';

const lines = (text: string) => text.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean);
/** `<input type="datetime-local">` gives local time without a zone: the API wants an instant. */
const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** An instant as `<input type="datetime-local">` shows it (local time, to the minute). */
const localInput = (iso: string | undefined) => {
  if (!iso) {
    return '';
  }
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/** What the form starts with: a search's filters, when a hold is placed on its results (E-discovery page). */
export type HoldFormInitial = { contactPhones?: string[]; channelIds?: string[]; agentIds?: string[]; from?: string; to?: string; query?: string };

/** Places a hold: case reference, reason, and what it covers (every criterion given narrows it). */
export function HoldForm({ onClose, onSaved, initial = {}, note }: { onClose: () => void; onSaved: (hold: LegalHold) => void; initial?: HoldFormInitial; note?: string }) {
  const { t } = useI18n();
  const [options, setOptions] = useState<LegalHoldOptions>({ channels: [], agents: [] });
  const [caseRef, setCaseRef] = useState('');
  const [reason, setReason] = useState('');
  const [phones, setPhones] = useState((initial.contactPhones ?? []).join('\n'));
  const [conversations, setConversations] = useState('');
  const [channelIds, setChannelIds] = useState<string[]>(initial.channelIds ?? []);
  const [agentIds, setAgentIds] = useState<string[]>(initial.agentIds ?? []);
  const [from, setFrom] = useState(localInput(initial.from));
  const [to, setTo] = useState(localInput(initial.to));
  const [query, setQuery] = useState(initial.query ?? '');
  const action = useAction();

  useEffect(() => {
    let live = true;
    holdsApi.options().then((o) => live && setOptions(o), () => undefined);
    return () => {
      live = false;
    };
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const list = <T,>(values: T[]) => (values.length > 0 ? values : undefined);
    const input: LegalHoldInput = {
      caseRef: caseRef.trim(),
      reason: reason.trim(),
      scope: {
        contactPhones: list(lines(phones)),
        conversationIds: list(lines(conversations)),
        channelIds: list(channelIds),
        agentIds: list(agentIds),
        from: instant(from),
        to: instant(to),
        query: query.trim() || undefined,
      },
    };
    const result = await action.run(() => holdsApi.create(input));
    if (result) {
      onSaved(result.hold);
    }
  }

  return (
    <Dialog title={t('holds.createTitle')} onClose={onClose} id="hold-dialog" wide>
      <form onSubmit={(event) => void submit(event)}>
        <FormField id="hold-case" label={t('holds.caseRef')} error={fieldError(action.error, 'caseRef')}>
          {(describedBy, invalid) => (
            <input id="hold-case" name="caseRef" required autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={caseRef} onChange={(e) => setCaseRef(e.target.value)} />
          )}
        </FormField>
        <FormField id="hold-reason" label={t('holds.reason')} error={fieldError(action.error, 'reason')}>
          {(describedBy, invalid) => (
            <textarea id="hold-reason" name="reason" rows={2} required aria-describedby={describedBy} aria-invalid={invalid} value={reason} onChange={(e) => setReason(e.target.value)} />
          )}
        </FormField>
        <p className="hint">{t('holds.scopeHint')}</p>
        {note && <p className="hint" id="hold-note">{note}</p>}
        <FormField id="hold-phones" label={t('holds.contactPhones')} error={fieldError(action.error, 'scope.contactPhones') ?? fieldError(action.error, 'scope')}>
          {(describedBy, invalid) => (
            <textarea id="hold-phones" name="contactPhones" rows={2} aria-describedby={describedBy} aria-invalid={invalid} value={phones} onChange={(e) => setPhones(e.target.value)} />
          )}
        </FormField>
        <FormField id="hold-conversations" label={t('holds.conversationIds')} error={fieldError(action.error, 'scope.conversationIds')}>
          {(describedBy, invalid) => (
            <textarea id="hold-conversations" name="conversationIds" rows={2} aria-describedby={describedBy} aria-invalid={invalid} value={conversations} onChange={(e) => setConversations(e.target.value)} />
          )}
        </FormField>
        <CheckboxGroup legend={t('holds.numbers')} name="channelIds" options={options.channels} value={channelIds} onChange={setChannelIds} emptyText={t('holds.noneToChoose')} />
        <CheckboxGroup legend={t('holds.agents')} name="agentIds" options={options.agents} value={agentIds} onChange={setAgentIds} emptyText={t('holds.noneToChoose')} />
        <FormField id="hold-from" label={t('holds.from')} error={fieldError(action.error, 'scope.from')}>
          {(describedBy, invalid) => (
            <input id="hold-from" name="from" type="datetime-local" aria-describedby={describedBy} aria-invalid={invalid} value={from} onChange={(e) => setFrom(e.target.value)} />
          )}
        </FormField>
        <FormField id="hold-to" label={t('holds.to')} error={fieldError(action.error, 'scope.to')}>
          {(describedBy, invalid) => (
            <input id="hold-to" name="to" type="datetime-local" aria-describedby={describedBy} aria-invalid={invalid} value={to} onChange={(e) => setTo(e.target.value)} />
          )}
        </FormField>
        <FormField id="hold-query" label={t('holds.query')} error={fieldError(action.error, 'scope.query')}>
          {(describedBy, invalid) => (
            <input id="hold-query" name="query" type="search" aria-describedby={describedBy} aria-invalid={invalid} value={query} onChange={(e) => setQuery(e.target.value)} />
          )}
        </FormField>
        <ErrorAlert error={action.error} />
        <FormActions onCancel={onClose} disabled={action.busy} can={['create', 'LegalHold']} button="holds.submitCreate" label={t('holds.create')} />
      </form>
    </Dialog>
  );
}
