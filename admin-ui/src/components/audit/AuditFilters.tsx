import { useState } from 'react';
import type { FormEvent } from 'react';
import type { AuditQuery } from '../../endpoints';
import { useI18n } from '../../i18n';
import { en } from '../../i18n/en';
import { Can } from '../Can';
import { ActorFilter, type ActorChoice } from './ActorFilter';

export interface FilterForm {
  actor: ActorChoice;
  family: string;
  action: string;
  subjectType: string;
  subject: string;
  from: string;
  to: string;
}

export const EMPTY_FILTERS: FilterForm = { actor: { text: '', picked: null }, family: '', action: '', subjectType: '', subject: '', from: '', to: '' };

// The dictionary names every family, action and subject type the panel can tell about.
const keysAfter = (prefix: string) => Object.keys(en).filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
const FAMILIES = keysAfter('audit.family.');
const ACTIONS = keysAfter('audit.action.');
const SUBJECT_TYPES = keysAfter('audit.subjectType.');

// An id as the log keeps it (a UUID, or an audit event's sequence number) is matched exactly;
// anything else is part of a name.
const ID_LIKE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)$/i;

/** `datetime-local` gives local wall time; the API wants an ISO instant. */
function toIso(local: string): string | undefined {
  if (!local) {
    return undefined;
  }
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The API query the form stands for. */
export function toQuery(form: FilterForm): AuditQuery {
  const subject = form.subject.trim();
  const actorText = form.actor.text.trim();
  return {
    actorId: form.actor.picked?.id,
    actor: form.actor.picked ? undefined : actorText || undefined,
    family: form.family || undefined,
    action: form.action || undefined,
    subjectType: form.subjectType || undefined,
    subjectId: ID_LIKE.test(subject) ? subject : undefined,
    subject: subject && !ID_LIKE.test(subject) ? subject : undefined,
    from: toIso(form.from),
    to: toIso(form.to),
  };
}

/** The Audit page's filters: who, which family or action, on what, when (in the reader's time zone). */
export function AuditFilters({ onApply }: { onApply: (query: AuditQuery) => void }) {
  const { t, tMaybe } = useI18n();
  const [form, setForm] = useState<FilterForm>(EMPTY_FILTERS);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const actions = ACTIONS.filter((action) => !form.family || action.startsWith(`${form.family}.`));

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    onApply(toQuery(form));
  }

  function reset() {
    setForm(EMPTY_FILTERS);
    onApply(toQuery(EMPTY_FILTERS));
  }

  return (
    <form className="filters audit-filters" onSubmit={apply} aria-label={t('audit.filters')}>
      <ActorFilter value={form.actor} onChange={(actor) => setForm({ ...form, actor })} />
      <div className="field">
        <label htmlFor="audit-family">{t('audit.filter.family')}</label>
        <select id="audit-family" name="family" value={form.family} onChange={(event) => setForm({ ...form, family: event.target.value, action: '' })}>
          <option value="">{t('audit.filter.anyFamily')}</option>
          {FAMILIES.map((family) => (
            <option key={family} value={family}>{tMaybe(`audit.family.${family}`) ?? family}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-action">{t('audit.filter.action')}</label>
        <select id="audit-action" name="action" value={form.action} onChange={(event) => setForm({ ...form, action: event.target.value })}>
          <option value="">{t('audit.filter.anyAction')}</option>
          {actions.map((action) => (
            <option key={action} value={action}>{tMaybe(`audit.action.${action}`) ?? action}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-subject-type">{t('audit.filter.subjectType')}</label>
        <select id="audit-subject-type" name="subjectType" value={form.subjectType} onChange={(event) => setForm({ ...form, subjectType: event.target.value })}>
          <option value="">{t('audit.filter.anySubjectType')}</option>
          {SUBJECT_TYPES.map((type) => (
            <option key={type} value={type}>{tMaybe(`audit.subjectType.${type}`) ?? type}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-subject">{t('audit.filter.subject')}</label>
        <input id="audit-subject" name="subject" autoComplete="off" value={form.subject} onChange={(event) => setForm({ ...form, subject: event.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="audit-from">{t('audit.from')}</label>
        <input id="audit-from" name="from" type="datetime-local" aria-describedby="audit-time-zone" value={form.from} onChange={(event) => setForm({ ...form, from: event.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="audit-to">{t('audit.to')}</label>
        <input id="audit-to" name="to" type="datetime-local" aria-describedby="audit-time-zone" value={form.to} onChange={(event) => setForm({ ...form, to: event.target.value })} />
      </div>
      <p className="hint" id="audit-time-zone">{t('audit.filter.timeZone', { zone })}</p>
      <div className="filters-actions">
        <Can I="read" a="AuditEvent">
          <button type="submit" className="button-secondary" data-button="audit.filter">
            {t('audit.apply')}
          </button>
        </Can>
        <button type="button" className="button-link" onClick={reset} data-ui="audit.resetFilters">
          {t('audit.reset')}
        </button>
      </div>
    </form>
  );
}
