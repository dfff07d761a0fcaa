import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { reviewApi } from '../../endpoints';
import { useI18n } from '../../i18n';
import type { ReviewOptions, ReviewQuery } from '../../types';
import { Can } from '../Can';

/** The review's search as the form holds it: '' is "any"; dates are calendar days (yyyy-mm-dd) in the browser's zone. */
export interface ReviewForm {
  channelId: string;
  agentId: string;
  q: string;
  status: '' | 'open' | 'pending' | 'resolved';
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;

/** A calendar day in the browser's zone, as a date input holds it. */
function dayOf(date: Date): string {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 10);
}

/** The weekly quality review: the last 30 days, every number, agent and status. */
export function defaultReviewForm(now = new Date()): ReviewForm {
  return { channelId: '', agentId: '', q: '', status: '', from: dayOf(new Date(now.getTime() - 30 * DAY_MS)), to: '' };
}

/** The form as the API's query: the start of `from`'s day, the end of `to`'s day (exclusive: the next day's start). */
export function toReviewQuery(form: ReviewForm): Omit<ReviewQuery, 'limit'> {
  const startOf = (day: string) => new Date(`${day}T00:00:00`);
  return {
    channelId: form.channelId || undefined,
    agentId: form.agentId || undefined,
    q: form.q.trim() || undefined,
    status: form.status || undefined,
    from: form.from ? startOf(form.from).toISOString() : undefined,
    to: form.to ? new Date(startOf(form.to).getTime() + DAY_MS).toISOString() : undefined,
  };
}

/** Number, agent, customer, status and dates (any date, years back); applied with Search. */
export function ReviewFilters({ initial, onApply }: { initial: ReviewForm; onApply: (form: ReviewForm) => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState<ReviewForm>(initial);
  const [options, setOptions] = useState<ReviewOptions>({ channels: [], agents: [] });
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  useEffect(() => {
    let live = true;
    reviewApi
      .options()
      .then((loaded) => live && setOptions(loaded))
      // The filters still work without the lists: the other fields stay usable.
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    onApply(form);
  }

  return (
    <form className="filters review-filters" onSubmit={apply} aria-label={t('review.filters')}>
      <div className="field">
        <label htmlFor="review-channel">{t('review.number')}</label>
        <select id="review-channel" name="channelId" value={form.channelId} onChange={(e) => setForm({ ...form, channelId: e.target.value })}>
          <option value="">{t('review.anyNumber')}</option>
          {options.channels.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor="review-agent">{t('review.agent')}</label>
        <select id="review-agent" name="agentId" value={form.agentId} onChange={(e) => setForm({ ...form, agentId: e.target.value })}>
          <option value="">{t('review.anyAgent')}</option>
          {options.agents.map((a) => <option key={a.id} value={a.id}>{a.label}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor="review-contact">{t('review.contact')}</label>
        <input id="review-contact" name="q" type="search" autoComplete="off" placeholder={t('review.contactPlaceholder')} value={form.q} onChange={(e) => setForm({ ...form, q: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="review-status">{t('review.status')}</label>
        <select id="review-status" name="status" value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value as ReviewForm['status'] })}>
          <option value="">{t('review.anyStatus')}</option>
          {(['open', 'pending', 'resolved'] as const).map((s) => <option key={s} value={s}>{t(`inbox.conversationStatus.${s}`)}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor="review-from">{t('review.from')}</label>
        <input id="review-from" name="from" type="date" aria-describedby="review-range-hint" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="review-to">{t('review.to')}</label>
        <input id="review-to" name="to" type="date" aria-describedby="review-range-hint" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
      </div>
      <p className="hint" id="review-range-hint">{t('review.rangeHint', { zone })}</p>
      <div className="filters-actions">
        <Can I="read" a="ConversationReview">
          <button type="submit" className="button-secondary" data-button="review.search">
            {t('review.search')}
          </button>
        </Can>
      </div>
    </form>
  );
}
