import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { broadcastsApi, channelsApi, segmentsApi, templatesApi } from '../endpoints';
import { fieldError } from '../errors';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { Broadcast, BroadcastEstimate, BroadcastMapping, BroadcastPreview, BroadcastVariable, Segment, SegmentOptions, Template, UploadedMedia } from '../types';
import { Can } from './Can';
import { Dialog } from './Dialog';
import { ErrorAlert } from './ErrorAlert';
import { FormField } from './FormField';
import { HeaderFileField, mediaHeaderFormat } from './HeaderFileField';

type Variable = BroadcastMapping[number];
type Source = Variable['source'];
const FIELDS = ['name', 'phone', 'country', 'language'] as const;
const selected = (select: HTMLSelectElement) => [...select.selectedOptions].map((o) => o.value);

/** The source picker's value for a source: `field:name`, `attribute:city` or `text`. */
const sourceKey = (s: Source) => (s.kind === 'field' ? `field:${s.field}` : s.kind === 'attribute' ? `attribute:${s.key}` : 'text');
function sourceOf(key: string, text: string): Source {
  const [kind, name] = key.split(':');
  if (kind === 'field') {
    return { kind: 'field', field: name as (typeof FIELDS)[number] };
  }
  return kind === 'attribute' ? { kind: 'attribute', key: name! } : { kind: 'text', text };
}

/**
 * A new broadcast: numbers, template, segment, a source and fallback for each template variable,
 * now or later; the estimate (cost, exclusions, tier) and a preview of three recipients are shown
 * before the Send button.
 */
export function BroadcastForm({ onClose, onCreated }: { onClose: () => void; onCreated: (b: Broadcast) => void }) {
  const { t } = useI18n();
  const [channels, setChannels] = useState<Array<{ id: string; name: string }>>([]);
  const [segments, setSegments] = useState<Segment[]>([]);
  const [options, setOptions] = useState<SegmentOptions | null>(null);
  const [templates, setTemplates] = useState<Template[]>([]);
  const [name, setName] = useState('');
  const [channelIds, setChannelIds] = useState<string[]>([]);
  const [templateId, setTemplateId] = useState('');
  const [segmentId, setSegmentId] = useState('');
  const [variables, setVariables] = useState<BroadcastVariable[]>([]);
  const [mapping, setMapping] = useState<BroadcastMapping>([]);
  const [headerFile, setHeaderFile] = useState<UploadedMedia | null>(null);
  const [later, setLater] = useState(false);
  const [at, setAt] = useState('');
  const [estimate, setEstimate] = useState<BroadcastEstimate | null>(null);
  const [preview, setPreview] = useState<BroadcastPreview | null>(null);
  const load = useAction();
  const check = useAction();
  const save = useAction();
  const { run } = load;

  useEffect(() => {
    void run(async () => {
      const [c, s, o] = await Promise.all([channelsApi.list(), segmentsApi.list(), segmentsApi.options()]);
      setChannels(c.items.map((x) => ({ id: x.id, name: x.name })));
      setSegments(s.items);
      setOptions(o);
    });
  }, [run]);
  const firstChannel = channelIds[0];
  useEffect(() => {
    if (firstChannel) {
      void run(async () => setTemplates((await templatesApi.list(firstChannel)).items.filter((x) => x.status === 'APPROVED')));
    }
  }, [firstChannel, run]);
  const mediaFormat = mediaHeaderFormat(templates.find((x) => x.id === templateId)?.header);
  useEffect(() => {
    setHeaderFile(null);
    if (templateId) {
      void run(async () => {
        const vars = (await broadcastsApi.variables(templateId)).variables;
        setVariables(vars);
        setMapping(vars.map((v) => ({ component: v.component, index: v.index, source: { kind: 'field', field: 'name' }, fallback: '' })));
      });
    }
  }, [templateId, run]);

  const draft = { templateId, segmentId, channelIds, mapping, ...(headerFile ? { headerMediaId: headerFile.id } : {}) };
  // A media header's file goes with every message: asked for before anything is estimated.
  const ready = templateId !== '' && segmentId !== '' && channelIds.length > 0 && (mediaFormat === null || headerFile !== null);
  // Anything changed makes the estimate and preview stale: they must be asked again before sending.
  const key = JSON.stringify(draft);
  useEffect(() => {
    setEstimate(null);
    setPreview(null);
  }, [key]);

  const setVariable = (i: number, patch: Partial<Variable>) => setMapping((m) => m.map((v, j) => (j === i ? { ...v, ...patch } : v)));
  async function runChecks() {
    const res = await check.run(async () => Promise.all([broadcastsApi.estimate(draft), broadcastsApi.preview(draft)]));
    if (res) {
      setEstimate(res[0]);
      setPreview(res[1]);
    }
  }
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const res = await save.run(() => broadcastsApi.create({ ...draft, name: name.trim(), ...(later && at ? { scheduledAt: new Date(at).toISOString() } : {}) }));
    if (res) {
      onCreated(res.broadcast);
    }
  }
  const error = save.error ?? check.error;

  return (
    <Dialog title={t('broadcasts.new')} onClose={onClose} id="broadcast-form" wide>
      <form onSubmit={(e) => void submit(e)} className="broadcast-form">
        <ErrorAlert error={load.error ?? error} />
        <FormField id="broadcast-name" label={t('broadcasts.name')} error={fieldError(save.error, 'name')}>
          {(d, invalid) => <input id="broadcast-name" required aria-describedby={d} aria-invalid={invalid} value={name} onChange={(e) => setName(e.target.value)} />}
        </FormField>
        <div className="field-row">
          <FormField id="broadcast-channels" label={t('broadcasts.numbers')} hint={t('broadcasts.numbersHint')} error={fieldError(error, 'channelIds')}>
            {(d) => (
              <select id="broadcast-channels" multiple aria-describedby={d} value={channelIds} onChange={(e) => setChannelIds(selected(e.target))}>
                {channels.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
              </select>
            )}
          </FormField>
          <FormField id="broadcast-template" label={t('broadcasts.template')} error={fieldError(error, 'templateId')}>
            {(d) => (
              <select id="broadcast-template" aria-describedby={d} value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
                <option value="">{t('broadcasts.choose')}</option>
                {templates.map((x) => <option key={x.id} value={x.id}>{`${x.name} (${x.language}, ${x.category ?? ''})`}</option>)}
              </select>
            )}
          </FormField>
          <FormField id="broadcast-segment" label={t('broadcasts.segment')} error={fieldError(error, 'segmentId')}>
            {(d) => (
              <select id="broadcast-segment" aria-describedby={d} value={segmentId} onChange={(e) => setSegmentId(e.target.value)}>
                <option value="">{t('broadcasts.choose')}</option>
                {segments.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
              </select>
            )}
          </FormField>
        </div>
        {mediaFormat && <HeaderFileField id="broadcast-header-file" format={mediaFormat} file={headerFile} onChange={setHeaderFile} />}
        {variables.length > 0 && (
          <fieldset className="broadcast-mapping">
            <legend>{t('broadcasts.mapping')}</legend>
            {mapping.map((v, i) => {
              const id = `broadcast-var-${v.component}-${v.index}`;
              return (
                <div className="field-row" key={id} data-variable={`${v.component}:${v.index}`}>
                  <FormField id={id} label={t(`broadcasts.variable.${v.component}`, { n: v.index })} error={fieldError(error, `mapping.${i}`)}>
                    {(d) => (
                      <select id={id} aria-describedby={d} value={sourceKey(v.source)} onChange={(e) => setVariable(i, { source: sourceOf(e.target.value, v.source.kind === 'text' ? v.source.text : '') })}>
                        {FIELDS.map((f) => <option key={f} value={`field:${f}`}>{t(`broadcasts.field.${f}`)}</option>)}
                        {options?.attributes.map((a) => <option key={a.key} value={`attribute:${a.key}`}>{t('broadcasts.attribute', { name: a.name })}</option>)}
                        <option value="text">{t('broadcasts.fixedText')}</option>
                      </select>
                    )}
                  </FormField>
                  {v.source.kind === 'text' ? (
                    <FormField id={`${id}-text`} label={t('broadcasts.text')}>
                      {(d) => <input id={`${id}-text`} aria-describedby={d} value={v.source.kind === 'text' ? v.source.text : ''} onChange={(e) => setVariable(i, { source: { kind: 'text', text: e.target.value } })} />}
                    </FormField>
                  ) : (
                    <FormField id={`${id}-fallback`} label={t('broadcasts.fallback')} error={fieldError(error, `mapping.${i}.fallback`)}>
                      {(d, invalid) => <input id={`${id}-fallback`} aria-describedby={d} aria-invalid={invalid} value={v.fallback ?? ''} onChange={(e) => setVariable(i, { fallback: e.target.value })} />}
                    </FormField>
                  )}
                </div>
              );
            })}
          </fieldset>
        )}
        <fieldset className="field">
          <legend>{t('broadcasts.when')}</legend>
          <label><input type="radio" name="broadcast-when" checked={!later} onChange={() => setLater(false)} /> {t('broadcasts.now')}</label>
          <label><input type="radio" name="broadcast-when" checked={later} onChange={() => setLater(true)} /> {t('broadcasts.later')}</label>
          {later && <input id="broadcast-at" type="datetime-local" aria-label={t('broadcasts.at')} value={at} onChange={(e) => setAt(e.target.value)} />}
        </fieldset>
        <Can I="create" a="Broadcast">
          <div className="form-actions">
            <button type="button" className="button-secondary" data-button="broadcasts.estimate" disabled={!ready || check.busy} onClick={() => void runChecks()}>{t('broadcasts.estimate')}</button>
            <button type="button" className="button-secondary" data-button="broadcasts.preview" disabled={!ready || check.busy} onClick={() => void runChecks()}>{t('broadcasts.preview')}</button>
          </div>
        </Can>
        {estimate && <EstimateView estimate={estimate} />}
        {preview && (
          <section className="broadcast-preview" aria-label={t('broadcasts.preview')}>
            {preview.samples.map((s) => (
              <article key={s.contactId} className="card" data-sample={s.contactId}>
                <p className="hint">{s.name ?? '—'}</p>
                {s.rendered.header && <strong>{s.rendered.header}</strong>}
                <p>{s.rendered.body}</p>
                {s.rendered.footer && <p className="hint">{s.rendered.footer}</p>}
                {s.rendered.buttons.map((b) => <p key={b} className="hint">▸ {b}</p>)}
                {s.blockedTerms.length > 0 && <p className="field-error" data-ui="broadcast.sampleBlocked">{t('broadcasts.sampleBlocked', { terms: s.blockedTerms.join(', ') })}</p>}
              </article>
            ))}
          </section>
        )}
        <div className="form-actions">
          <button type="button" className="button-secondary" onClick={onClose} data-ui="dialog.cancel">{t('common.cancel')}</button>
          <Can I="create" a="Broadcast">
            {/* Sending is offered once the estimate of this very draft has been shown. */}
            <button type="submit" className="button-primary" data-button="broadcasts.send" disabled={!estimate || save.busy || name.trim() === ''}>
              {later ? t('broadcasts.schedule') : t('broadcasts.send')}
            </button>
          </Can>
        </div>
      </form>
    </Dialog>
  );
}

/** The estimate: recipients, who is left out and why, the cost per country and category, and the tier's pace. */
function EstimateView({ estimate: e }: { estimate: BroadcastEstimate }) {
  const { t } = useI18n();
  const money = (n: number | null) => (n === null ? '—' : `${n.toFixed(4)} ${e.cost.currency ?? ''}`);
  return (
    <section className="broadcast-estimate card" data-ui="broadcast.estimate" aria-label={t('broadcasts.estimate')}>
      <p data-ui="broadcast.recipients">{t('broadcasts.recipients', { count: e.recipients, audience: e.audience })}</p>
      <p>{t('broadcasts.excludedLine', { optedOut: e.excluded.opted_out, noOptIn: e.excluded.no_marketing_opt_in, restricted: e.excluded.restricted })}</p>
      <table className="table">
        <thead><tr><th>{t('broadcasts.country')}</th><th>{t('broadcasts.category')}</th><th>{t('broadcasts.count')}</th><th>{t('broadcasts.amount')}</th></tr></thead>
        <tbody>
          {e.cost.lines.map((l) => (
            <tr key={`${l.country}:${l.category}`}><td>{l.country ?? '—'}</td><td>{l.category}</td><td>{l.count}</td><td>{money(l.amount)}</td></tr>
          ))}
        </tbody>
      </table>
      <p data-ui="broadcast.total">{e.cost.rateCardId ? t('broadcasts.total', { total: money(e.cost.total), from: e.cost.effectiveFrom ?? '' }) : t('broadcasts.noRateCard')}</p>
      <p data-ui="broadcast.tier">
        {e.tier.limitPer24h === null ? t('broadcasts.tierUnlimited') : t('broadcasts.tierLine', { count: e.recipients, limit: e.tier.limitPer24h, available: e.tier.availableNow ?? 0, days: e.tier.days })}
      </p>
    </section>
  );
}
