import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Can } from '../components/Can';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormField } from '../components/FormField';
import { HoldForm } from '../components/HoldForm';
import { PageTitle } from '../components/PageTitle';
import { ExportList } from '../components/discovery/ExportList';
import { Highlights } from '../components/discovery/Highlights';
import { discoveryApi } from '../endpoints';
import { fieldError } from '../errors';
import { useFormats } from '../format';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { DiscoveryFilters, DiscoveryHit, DiscoveryOptions } from '../types';

type Form = { query: string; phone: string; channelId: string; agentId: string; labelId: string; direction: '' | 'in' | 'out'; type: string; from: string; to: string };
const EMPTY: Form = { query: '', phone: '', channelId: '', agentId: '', labelId: '', direction: '', type: '', from: '', to: '' };

/** `<input type="date">` gives a day: from its start, to the end of the "until" day, in local time. */
const dayStart = (day: string) => (day ? new Date(`${day}T00:00:00`).toISOString() : undefined);
const dayAfter = (day: string) => (day ? new Date(new Date(`${day}T00:00:00`).getTime() + 86_400_000).toISOString() : undefined);

function filtersOf(form: Form): DiscoveryFilters {
  const one = (v: string) => (v ? [v] : undefined);
  return {
    query: form.query.trim() || undefined,
    contactPhones: one(form.phone.replace(/[\s().-]/g, '')),
    channelIds: one(form.channelId),
    agentIds: one(form.agentId),
    labelIds: one(form.labelId),
    direction: form.direction || undefined,
    types: one(form.type),
    from: dayStart(form.from),
    to: dayAfter(form.to),
  };
}

/** `#/discovery`: search the whole archive with filters, read the results with the words found marked, export or hold them. */
export function DiscoveryPage() {
  const { t, tMaybe } = useI18n();
  const typeLabel = (ty: string) => tMaybe(`inbox.type.${ty}`) ?? ty;
  const f = useFormats();
  const [options, setOptions] = useState<DiscoveryOptions>({ channels: [], agents: [], labels: [], types: [] });
  const [form, setForm] = useState<Form>(EMPTY);
  const [searched, setSearched] = useState<DiscoveryFilters | null>(null);
  const [hits, setHits] = useState<DiscoveryHit[]>([]);
  const [total, setTotal] = useState<{ n: number; capped: boolean } | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [holding, setHolding] = useState(false);
  const [exportsVersion, setExportsVersion] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const search = useAction();
  const exporting = useAction();

  useEffect(() => {
    let live = true;
    discoveryApi.options().then((o) => live && setOptions(o), () => undefined);
    return () => {
      live = false;
    };
  }, []);

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((previous) => ({ ...previous, [key]: value }));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const filters = filtersOf(form);
    const page = await search.run(() => discoveryApi.search(filters));
    if (page) {
      setSearched(filters);
      setHits(page.items);
      setCursor(page.nextCursor);
      setTotal({ n: page.total, capped: page.totalCapped });
      setNotice(null);
    }
  }

  async function loadMore() {
    if (!searched || !cursor) {
      return;
    }
    const page = await search.run(() => discoveryApi.search(searched, cursor));
    if (page) {
      setHits((previous) => [...previous, ...page.items]);
      setCursor(page.nextCursor);
    }
  }

  async function exportResults() {
    if (!searched) {
      return;
    }
    const created = await exporting.run(() => discoveryApi.createExport(searched));
    if (created) {
      setExportsVersion((v) => v + 1);
      setNotice(t('discovery.exportQueued'));
    }
  }

  // A hold's scope knows no labels, direction or type: say so rather than widen silently.
  const holdNote = searched && (searched.labelIds || searched.direction || searched.types) ? t('discovery.holdNarrower') : undefined;
  const select = (id: keyof Form, label: string, choices: Array<{ id: string; label: string }>, any: string) => (
    <FormField id={`discovery-${id}`} label={label}>
      {(describedBy) => (
        <select id={`discovery-${id}`} aria-describedby={describedBy} value={form[id]} onChange={(e) => set(id, e.target.value as never)}>
          <option value="">{any}</option>
          {choices.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
        </select>
      )}
    </FormField>
  );

  return (
    <>
      <PageTitle title={t('discovery.title')} />
      <p>{t('discovery.intro')}</p>
      <form id="discovery-form" className="discovery-form" onSubmit={(event) => void submit(event)}>
        <FormField id="discovery-query" label={t('discovery.query')} hint={t('discovery.queryHint')} error={fieldError(search.error, 'filters.query')}>
          {(describedBy, invalid) => (
            <input id="discovery-query" type="search" autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={form.query} onChange={(e) => set('query', e.target.value)} />
          )}
        </FormField>
        <div className="discovery-filters">
          {select('channelId', t('discovery.number'), options.channels, t('discovery.any'))}
          {select('agentId', t('discovery.agent'), options.agents, t('discovery.any'))}
          {select('labelId', t('discovery.label'), options.labels, t('discovery.any'))}
          {select('type', t('discovery.type'), options.types.map((ty) => ({ id: ty, label: typeLabel(ty) })), t('discovery.any'))}
          {select('direction', t('discovery.direction'), [{ id: 'in', label: t('discovery.directionIn') }, { id: 'out', label: t('discovery.directionOut') }], t('discovery.any'))}
          <FormField id="discovery-phone" label={t('discovery.contact')} error={fieldError(search.error, 'filters.contactPhones')}>
            {(describedBy, invalid) => (
              <input id="discovery-phone" type="tel" autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={form.phone} onChange={(e) => set('phone', e.target.value)} />
            )}
          </FormField>
          <FormField id="discovery-from" label={t('discovery.from')}>
            {(describedBy) => <input id="discovery-from" type="date" aria-describedby={describedBy} value={form.from} onChange={(e) => set('from', e.target.value)} />}
          </FormField>
          <FormField id="discovery-to" label={t('discovery.to')} error={fieldError(search.error, 'filters.to')}>
            {(describedBy, invalid) => <input id="discovery-to" type="date" aria-describedby={describedBy} aria-invalid={invalid} value={form.to} onChange={(e) => set('to', e.target.value)} />}
          </FormField>
        </div>
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={search.busy} data-button="discovery.search">{t('common.search')}</button>
        </div>
      </form>
      <ErrorAlert error={search.error ?? exporting.error} />
      {searched && total && (
        <section id="discovery-results" aria-labelledby="discovery-results-title">
          <div className="discovery-results-head">
            <h2 id="discovery-results-title">{t(total.capped ? 'discovery.resultsCapped' : total.n === 1 ? 'discovery.resultsOne' : 'discovery.results', { n: total.n })}</h2>
            <Can I="create" a="LegalHold">
              <button type="button" className="button-secondary" onClick={() => setHolding(true)} disabled={hits.length === 0} data-button="discovery.placeHold">{t('discovery.placeHold')}</button>
            </Can>
            <Can I="create" a="DiscoveryExport">
              <button type="button" className="button-secondary" onClick={() => void exportResults()} disabled={hits.length === 0 || exporting.busy} data-button="discovery.export">{t('discovery.export')}</button>
            </Can>
          </div>
          {notice && <p role="status" id="discovery-notice">{notice}</p>}
          {hits.length === 0 && <p>{t('discovery.noResults')}</p>}
          <ol className="discovery-hits">
            {hits.map((h) => (
              <li key={h.id} data-id={h.id} className="discovery-hit">
                <div className="discovery-meta">
                  <time dateTime={h.createdAt}>{f.dateTimeZone(h.createdAt)}</time>
                  <span>{h.channel.label}</span>
                  <span>{h.direction === 'in' ? t('discovery.fromContact', { contact: h.contact.label }) : t('discovery.toContact', { contact: h.contact.label, author: h.author.label ?? h.author.type })}</span>
                  <span className="badge">{typeLabel(h.type)}</span>
                </div>
                <Highlights hit={h} />
              </li>
            ))}
          </ol>
          {cursor && (
            <button type="button" className="button-secondary" onClick={() => void loadMore()} disabled={search.busy} data-button="discovery.loadMore">{t('common.loadMore')}</button>
          )}
        </section>
      )}
      <Can I="read" a="DiscoveryExport">
        <ExportList version={exportsVersion} />
      </Can>
      {holding && searched && (
        <HoldForm
          initial={{ query: searched.query, contactPhones: searched.contactPhones, channelIds: searched.channelIds, agentIds: searched.agentIds, from: searched.from, to: searched.to }}
          note={holdNote}
          onClose={() => setHolding(false)}
          onSaved={() => {
            setHolding(false);
            setNotice(t('discovery.holdPlaced'));
          }}
        />
      )}
    </>
  );
}
