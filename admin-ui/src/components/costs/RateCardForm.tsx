import { useState } from 'react';
import type { FormEvent } from 'react';
import { costsApi } from '../../endpoints';
import { fieldError } from '../../errors';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import type { RateCard, RateCardInput } from '../../types';
import { Can } from '../Can';
import { Dialog } from '../Dialog';
import { ErrorAlert } from '../ErrorAlert';
import { FormActions } from '../FormActions';
import { FormField } from '../FormField';

const CATEGORIES = ['marketing', 'utility', 'authentication', 'service'] as const;
type Category = (typeof CATEGORIES)[number];
/** One line of the grid: a country ('*' = the rest of the world) and its price per category, as typed. */
type Row = { country: string; prices: Record<Category, string> };

const emptyPrices = (): Record<Category, string> => ({ marketing: '', utility: '', authentication: '', service: '' });

/** A card's prices as grid rows, '*' last. */
function rowsOf(card: RateCard | null): Row[] {
  const rows = new Map<string, Row>();
  for (const p of card?.prices ?? []) {
    const row = rows.get(p.country) ?? { country: p.country, prices: emptyPrices() };
    row.prices[p.category] = String(p.price);
    rows.set(p.country, row);
  }
  const list = [...rows.values()].sort((a, b) => (a.country === '*' ? 1 : b.country === '*' ? -1 : a.country.localeCompare(b.country)));
  return list.length > 0 ? list : [{ country: '*', prices: emptyPrices() }];
}

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/** Adds, changes (while not in force) or shows a rate card: its date, currency and a country × category grid of prices. */
export function RateCardForm(props: { mode: 'create' | 'edit' | 'view'; card: RateCard | null; current: RateCard | null; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const { mode, card } = props;
  const readOnly = mode === 'view';
  const [effectiveFrom, setEffectiveFrom] = useState(card?.effectiveFrom ?? tomorrow());
  const [currency, setCurrency] = useState(card?.currency ?? props.current?.currency ?? 'EUR');
  const [note, setNote] = useState(card?.note ?? '');
  const [rows, setRows] = useState<Row[]>(() => rowsOf(card));
  const [newCountry, setNewCountry] = useState('');
  const action = useAction();

  const setPrice = (country: string, category: Category, value: string) =>
    setRows((previous) => previous.map((r) => (r.country === country ? { ...r, prices: { ...r.prices, [category]: value } } : r)));

  function addCountry() {
    const code = newCountry.trim().toUpperCase();
    if (/^[A-Z]{2}$/.test(code) && !rows.some((r) => r.country === code)) {
      setRows((previous) => [{ country: code, prices: emptyPrices() }, ...previous]);
      setNewCountry('');
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input: RateCardInput = {
      effectiveFrom,
      currency: currency.trim().toUpperCase(),
      note,
      prices: rows.flatMap((r) => CATEGORIES.flatMap((category) => (r.prices[category].trim() === '' ? [] : [{ country: r.country, category, price: Number(r.prices[category]) }]))),
    };
    const saved = await action.run(() => (mode === 'edit' && card ? costsApi.updateCard(card.id, input) : costsApi.createCard(input)));
    if (saved) {
      props.onSaved();
    }
  }

  const title = mode === 'create' ? t('costs.newCard') : t(mode === 'edit' ? 'costs.editTitle' : 'costs.viewTitle', { date: card?.effectiveFrom ?? '' });
  return (
    <Dialog title={title} onClose={props.onClose} id="rate-card-dialog" wide>
      <form onSubmit={(event) => void submit(event)}>
        {mode === 'create' && <p>{t('costs.cardHint')}</p>}
        <div className="field-row">
          <FormField id="card-effective" label={t('costs.effectiveFrom')} error={fieldError(action.error, 'effectiveFrom')}>
            {(describedBy, invalid) => (
              <input id="card-effective" type="date" required readOnly={readOnly} aria-describedby={describedBy} aria-invalid={invalid} value={effectiveFrom} onChange={(e) => setEffectiveFrom(e.target.value)} />
            )}
          </FormField>
          <FormField id="card-currency" label={t('costs.currency')} error={fieldError(action.error, 'currency')}>
            {(describedBy, invalid) => (
              <input id="card-currency" required maxLength={3} readOnly={readOnly} aria-describedby={describedBy} aria-invalid={invalid} value={currency} onChange={(e) => setCurrency(e.target.value)} />
            )}
          </FormField>
        </div>
        <FormField id="card-note" label={t('costs.note')}>
          {(describedBy) => <input id="card-note" maxLength={500} readOnly={readOnly} aria-describedby={describedBy} value={note} onChange={(e) => setNote(e.target.value)} />}
        </FormField>
        {mode === 'create' && props.current && (
          <Can I="create" a="RateCard">
            <button type="button" className="button-secondary" data-button="costs.copyCurrent" onClick={() => setRows(rowsOf(props.current))}>
              {t('costs.copyCurrent', { date: props.current.effectiveFrom })}
            </button>
          </Can>
        )}
        <div className="table-wrap">
          <table className="table" id="rate-card-grid">
            <caption className="visually-hidden">{t('costs.prices')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('costs.country')}</th>
                {CATEGORIES.map((c) => (
                  <th scope="col" key={c} className="numeric">{t(`costs.category.${c}`)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.country} data-country={r.country}>
                  <th scope="row">{r.country === '*' ? t('costs.restOfWorld') : r.country}</th>
                  {CATEGORIES.map((c) => (
                    <td key={c} className="numeric">
                      <input
                        type="number" min="0" step="any" inputMode="decimal" className="price-input" readOnly={readOnly}
                        aria-label={`${r.country === '*' ? t('costs.restOfWorld') : r.country} ${t(`costs.category.${c}`)}`}
                        name={`price-${r.country}-${c}`} value={r.prices[c]} onChange={(e) => setPrice(r.country, c, e.target.value)}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {!readOnly && (
          <div className="field-row">
            <label htmlFor="card-new-country">{t('costs.addCountry')}</label>
            <input id="card-new-country" maxLength={2} size={4} value={newCountry} onChange={(e) => setNewCountry(e.target.value)} />
            <button type="button" className="button-secondary" data-ui="costs.addCountry" onClick={addCountry}>
              {t('costs.add')}
            </button>
          </div>
        )}
        <ErrorAlert error={action.error} />
        {readOnly ? (
          <div className="form-actions">
            <button type="button" className="button-secondary" onClick={props.onClose} data-ui="dialog.cancel">
              {t('common.close')}
            </button>
          </div>
        ) : (
          <FormActions
            onCancel={props.onClose} disabled={action.busy} label={t('common.save')}
            can={mode === 'edit' ? ['update', 'RateCard'] : ['create', 'RateCard']} button={mode === 'edit' ? 'costs.submitEditCard' : 'costs.submitCreateCard'}
          />
        )}
      </form>
    </Dialog>
  );
}
