import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Can } from '../components/Can';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormField } from '../components/FormField';
import { PageTitle } from '../components/PageTitle';
import { segmentsApi } from '../endpoints';
import { fieldError } from '../errors';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { Segment, SegmentFilter, SegmentOptions } from '../types';

type Condition = NonNullable<SegmentFilter['attributes']>[number];
type Op = Condition['op'];
type OptState = NonNullable<SegmentFilter['optStates']>[number];

// The live count waits for a pause in typing, so each keystroke does not query.
const COUNT_DEBOUNCE_MS = 400;
const OPS_BY_TYPE: Record<string, Op[]> = {
  text: ['equals', 'contains', 'is_set', 'not_set'],
  choice: ['equals', 'is_set', 'not_set'],
  number: ['equals', 'greater', 'less', 'is_set', 'not_set'],
  date: ['equals', 'before', 'after', 'is_set', 'not_set'],
  boolean: ['equals', 'is_set', 'not_set'],
};
const OPT_STATES: OptState[] = ['in', 'out', 'unknown'];

/** Drops the empty parts, so the filter saved (and audited, and exported) says only what was chosen. */
function cleaned(f: SegmentFilter): SegmentFilter {
  const out: SegmentFilter = {};
  const labels = Object.fromEntries(Object.entries(f.labels ?? {}).filter(([, ids]) => ids && ids.length > 0));
  if (Object.keys(labels).length > 0) {
    out.labels = labels;
  }
  if (f.countries?.length) {
    out.countries = f.countries;
  }
  if (f.attributes?.length) {
    out.attributes = f.attributes;
  }
  if (f.lastInbound && Object.values(f.lastInbound).some((v) => v !== undefined)) {
    out.lastInbound = f.lastInbound;
  }
  if (f.optStates?.length) {
    out.optStates = f.optStates;
  }
  if (f.channelIds?.length) {
    out.channelIds = f.channelIds;
  }
  return out;
}

const selected = (select: HTMLSelectElement) => [...select.selectedOptions].map((o) => o.value);

/** `#/segments`: the filter builder with its live count, saving, and the saved segments with their export. */
export function SegmentsPage() {
  const { t } = useI18n();
  const [options, setOptions] = useState<SegmentOptions | null>(null);
  const [segments, setSegments] = useState<Segment[]>([]);
  const [filter, setFilter] = useState<SegmentFilter>({});
  const [count, setCount] = useState<number | null>(null);
  const [name, setName] = useState('');
  const load = useAction();
  const counting = useAction();
  const saving = useAction();
  const { run: runLoad } = load;
  const { run: runCount } = counting;

  const reload = useCallback(async () => {
    const [opts, list] = await Promise.all([runLoad(() => segmentsApi.options()), runLoad(() => segmentsApi.list())]);
    if (opts) {
      setOptions(opts);
    }
    if (list) {
      setSegments(list.items);
    }
  }, [runLoad]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const query = JSON.stringify(cleaned(filter));
  useEffect(() => {
    const timer = setTimeout(() => {
      void runCount(() => segmentsApi.count(JSON.parse(query) as SegmentFilter)).then((res) => setCount(res ? res.count : null));
    }, COUNT_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query, runCount]);

  const change = (part: Partial<SegmentFilter>) => setFilter((previous) => ({ ...previous, ...part }));
  const setCondition = (i: number, next: Condition | null) =>
    change({ attributes: (filter.attributes ?? []).flatMap((c, j) => (j !== i ? [c] : next ? [next] : [])) });

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const res = await saving.run(() => segmentsApi.create(name.trim(), cleaned(filter)));
    if (res) {
      setName('');
      setSegments((previous) => [...previous, res.segment].sort((a, b) => a.name.localeCompare(b.name)));
    }
  }

  async function remove(segment: Segment) {
    const removed = await load.run(async () => {
      await segmentsApi.remove(segment.id);
      return true;
    });
    if (removed) {
      setSegments((previous) => previous.filter((s) => s.id !== segment.id));
    }
  }

  const attributeDef = (key: string) => options?.attributes.find((a) => a.key === key);

  return (
    <>
      <PageTitle title={t('segments.title')}>
        <p>{t('segments.intro')}</p>
      </PageTitle>
      <ErrorAlert error={load.error} />
      <section className="card segment-builder" aria-labelledby="segment-builder-title">
        <h2 id="segment-builder-title">{t('segments.builder')}</h2>
        <div className="field-row">
          {(['all', 'any', 'none'] as const).map((mode) => (
            <FormField key={mode} id={`segment-labels-${mode}`} label={t(`segments.labels.${mode}`)}>
              {(describedBy) => (
                <select id={`segment-labels-${mode}`} multiple aria-describedby={describedBy} value={filter.labels?.[mode] ?? []}
                  onChange={(e) => change({ labels: { ...filter.labels, [mode]: selected(e.target) } })}>
                  {options?.labels.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
                </select>
              )}
            </FormField>
          ))}
        </div>
        <div className="field-row">
          <FormField id="segment-countries" label={t('segments.countries')} hint={t('segments.countriesHint')} error={fieldError(counting.error, 'filter.countries')}>
            {(describedBy, invalid) => (
              <input id="segment-countries" aria-describedby={describedBy} aria-invalid={invalid} value={(filter.countries ?? []).join(', ')}
                onChange={(e) => change({ countries: e.target.value.split(/[\s,;]+/).map((c) => c.toUpperCase()).filter((c) => c !== '') })} />
            )}
          </FormField>
          <FormField id="segment-channels" label={t('segments.channels')}>
            {(describedBy) => (
              <select id="segment-channels" multiple aria-describedby={describedBy} value={filter.channelIds ?? []} onChange={(e) => change({ channelIds: selected(e.target) })}>
                {options?.channels.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
              </select>
            )}
          </FormField>
          <fieldset className="field">
            <legend>{t('segments.optStates')}</legend>
            {OPT_STATES.map((state) => (
              <label key={state} className="checkbox">
                <input type="checkbox" name="optStates" value={state} checked={filter.optStates?.includes(state) ?? false}
                  onChange={(e) => change({ optStates: e.target.checked ? [...(filter.optStates ?? []), state] : (filter.optStates ?? []).filter((s) => s !== state) })} />
                {t(`segments.opt.${state}`)}
              </label>
            ))}
          </fieldset>
        </div>
        <div className="field-row">
          <FormField id="segment-within" label={t('segments.withinDays')}>
            {(describedBy) => (
              <input id="segment-within" type="number" min={1} aria-describedby={describedBy} value={filter.lastInbound?.withinDays ?? ''}
                onChange={(e) => change({ lastInbound: { ...filter.lastInbound, withinDays: e.target.value ? Number(e.target.value) : undefined } })} />
            )}
          </FormField>
          {(['after', 'before'] as const).map((side) => (
            <FormField key={side} id={`segment-inbound-${side}`} label={t(`segments.inbound.${side}`)}>
              {(describedBy) => (
                <input id={`segment-inbound-${side}`} type="date" aria-describedby={describedBy} value={filter.lastInbound?.[side]?.slice(0, 10) ?? ''}
                  onChange={(e) => change({ lastInbound: { ...filter.lastInbound, [side]: e.target.value ? new Date(`${e.target.value}T00:00:00`).toISOString() : undefined } })} />
              )}
            </FormField>
          ))}
        </div>
        <fieldset className="field">
          <legend>{t('segments.attributes')}</legend>
          {(filter.attributes ?? []).map((cond, i) => {
            const def = attributeDef(cond.key);
            const needsValue = cond.op !== 'is_set' && cond.op !== 'not_set';
            return (
              <div className="segment-condition" key={i} data-condition={i}>
                <select aria-label={t('segments.attribute')} value={cond.key} onChange={(e) => setCondition(i, { key: e.target.value, op: 'is_set' })}>
                  {options?.attributes.map((a) => <option key={a.key} value={a.key}>{a.name}</option>)}
                </select>
                <select aria-label={t('segments.operator')} value={cond.op} onChange={(e) => setCondition(i, { key: cond.key, op: e.target.value as Op })}>
                  {(OPS_BY_TYPE[def?.type ?? 'text'] ?? []).map((op) => <option key={op} value={op}>{t(`segments.op.${op}`)}</option>)}
                </select>
                {needsValue && def?.type === 'choice' && (
                  <select aria-label={t('segments.value')} value={String(cond.value ?? '')} onChange={(e) => setCondition(i, { ...cond, value: e.target.value })}>
                    <option value="" />
                    {def.options.map((o) => <option key={o} value={o}>{o}</option>)}
                  </select>
                )}
                {needsValue && def?.type === 'boolean' && (
                  <select aria-label={t('segments.value')} value={String(cond.value ?? '')} onChange={(e) => setCondition(i, { ...cond, value: e.target.value === 'true' })}>
                    <option value="" />
                    <option value="true">{t('segments.yes')}</option>
                    <option value="false">{t('segments.no')}</option>
                  </select>
                )}
                {needsValue && def && def.type !== 'choice' && def.type !== 'boolean' && (
                  <input aria-label={t('segments.value')} type={def.type === 'number' ? 'number' : def.type === 'date' ? 'date' : 'text'} value={String(cond.value ?? '')}
                    onChange={(e) => setCondition(i, { ...cond, value: def.type === 'number' ? Number(e.target.value) : e.target.value })} />
                )}
                <button type="button" className="button-secondary" onClick={() => setCondition(i, null)}>{t('segments.removeCondition')}</button>
              </div>
            );
          })}
          {options && options.attributes.length > 0 && (
            <button type="button" className="button-secondary" data-ui="segments.addCondition"
              onClick={() => change({ attributes: [...(filter.attributes ?? []), { key: options.attributes[0]!.key, op: 'is_set' }] })}>
              {t('segments.addCondition')}
            </button>
          )}
        </fieldset>
        <p className="segment-count" role="status" aria-live="polite" id="segment-count" data-count={count ?? ''}>
          {count === null ? t('segments.counting') : t('segments.count', { count })}
        </p>
        <ErrorAlert error={counting.error} />
        <div className="form-actions">
          <Can I="export" a="Contact">
            <a className="button-secondary" href={segmentsApi.exportFilterUrl(JSON.parse(query) as SegmentFilter)} download data-button="segments.export">
              {t('segments.export')}
            </a>
          </Can>
        </div>
        <Can I="create" a="Segment">
          <form onSubmit={(e) => void save(e)} className="segment-save">
            <FormField id="segment-name" label={t('segments.name')} error={fieldError(saving.error, 'name')}>
              {(describedBy, invalid) => (
                <input id="segment-name" required maxLength={120} aria-describedby={describedBy} aria-invalid={invalid} value={name} onChange={(e) => setName(e.target.value)} />
              )}
            </FormField>
            <ErrorAlert error={saving.error} />
            <button type="submit" className="button-primary" disabled={saving.busy} data-button="segments.save">{t('segments.save')}</button>
          </form>
        </Can>
      </section>
      <section className="card" aria-labelledby="segment-list-title">
        <h2 id="segment-list-title">{t('segments.saved')}</h2>
        {segments.length === 0 ? <p>{t('segments.empty')}</p> : (
          <ul className="plain-list segment-list" id="segment-list">
            {segments.map((s) => (
              <li key={s.id} data-id={s.id} data-name={s.name}>
                <strong>{s.name}</strong>{' '}
                <button type="button" className="button-secondary" data-button="segments.open" onClick={() => setFilter(s.filter)}>{t('segments.open')}</button>
                <Can I="export" a="Contact">
                  <a className="button-secondary" href={segmentsApi.exportUrl(s.id)} download data-button="segments.export">{t('segments.export')}</a>
                </Can>
                <Can I="delete" a="Segment">
                  <button type="button" className="button-danger" data-button="segments.delete" onClick={() => void remove(s)}>{t('segments.delete')}</button>
                </Can>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
