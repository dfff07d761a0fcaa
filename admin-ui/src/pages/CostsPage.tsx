import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Can } from '../components/Can';
import { Dialog } from '../components/Dialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormActions } from '../components/FormActions';
import { FormField } from '../components/FormField';
import { PageTitle } from '../components/PageTitle';
import { RateCards } from '../components/costs/RateCards';
import { useMoney } from '../components/costs/money';
import { costsApi } from '../endpoints';
import { fieldError } from '../errors';
import { useServerEvents } from '../events';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n';
import type { SpendReport } from '../types';

type Line = SpendReport['byNumber'][number];

const CATEGORIES = ['marketing', 'utility', 'authentication', 'service'];

const thisMonth = () => new Date().toISOString().slice(0, 7);

/** `#/costs`: a month's spend by number, category, country and broadcast, the budget and its alerts, and the rate cards. */
export function CostsPage() {
  const { t } = useI18n();
  const [month, setMonth] = useState(thisMonth);
  const [shown, setShown] = useState(thisMonth);
  const [spend, setSpend] = useState<SpendReport | null>(null);
  const [editingBudget, setEditingBudget] = useState(false);
  const load = useAction();
  const { run } = load;

  const refresh = useCallback(async () => {
    const report = await run(() => costsApi.spend(shown));
    if (report) {
      setSpend(report);
    }
  }, [run, shown]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // A threshold passed while the page is open: read the month again (the banner comes with it).
  useServerEvents((event) => {
    if ((event.type === 'costs.budget_threshold' && event.month === shown) || event.type === 'reconnected') {
      void refresh();
    }
  });

  return (
    <>
      <PageTitle title={t('costs.title')}>
        <p>{t('costs.intro')}</p>
      </PageTitle>
      {spend?.alerts.length ? <BudgetBanner spend={spend} /> : null}
      <form
        className="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          setShown(month);
        }}
      >
        <div className="toolbar-filter">
          <label htmlFor="costs-month">{t('costs.month')}</label>
          <input id="costs-month" type="month" value={month} required onChange={(e) => setMonth(e.target.value)} />
        </div>
        <button type="submit" className="button-secondary" data-button="costs.showMonth">
          {t('costs.show')}
        </button>
        <a className="button-secondary" href={costsApi.spendCsvUrl(shown)} download data-button="costs.exportCsv">
          {t('costs.exportCsv')}
        </a>
      </form>
      <ErrorAlert error={load.error} />
      {spend && (
        <>
          <Budget spend={spend} onEdit={() => setEditingBudget(true)} />
          <Totals spend={spend} />
          <div className="costs-groups">
            <SpendTable id="spend-by-number" title="costs.byNumber" column="costs.number" lines={spend.byNumber} />
            <SpendTable id="spend-by-category" title="costs.byCategory" column="costs.category" lines={spend.byCategory} keyLabel={(key) => (CATEGORIES.includes(key) ? t(`costs.category.${key}` as MessageKey) : key)} />
            <SpendTable id="spend-by-country" title="costs.byCountry" column="costs.country" lines={spend.byCountry} />
            <SpendTable id="spend-by-broadcast" title="costs.byBroadcast" column="costs.broadcast" lines={spend.byBroadcast} />
          </div>
        </>
      )}
      <Can I="read" a="RateCard">
        <RateCards />
      </Can>
      {editingBudget && spend && (
        <BudgetDialog
          spend={spend}
          onClose={() => setEditingBudget(false)}
          onSaved={() => {
            setEditingBudget(false);
            void refresh();
          }}
        />
      )}
    </>
  );
}

function BudgetBanner({ spend }: { spend: SpendReport }) {
  const { t, lang } = useI18n();
  const money = useMoney();
  const top = spend.alerts[spend.alerts.length - 1]!;
  const month = new Intl.DateTimeFormat(lang, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${spend.month}-01T00:00:00Z`));
  return (
    <div role="alert" className="alert alert-warning" id="budget-banner" data-threshold={top.thresholdPercent}>
      {t(top.thresholdPercent >= 100 ? 'costs.bannerOver' : 'costs.bannerThreshold', {
        month,
        percent: top.thresholdPercent,
        spent: money(spend.budget?.spent ?? top.spent, top.currency),
        budget: money(spend.budget?.amount ?? top.budget, top.currency),
      })}
    </div>
  );
}

function Budget({ spend, onEdit }: { spend: SpendReport; onEdit: () => void }) {
  const { t } = useI18n();
  const money = useMoney();
  const b = spend.budget;
  return (
    <div className="card" id="costs-budget">
      <h2>{t('costs.budget')}</h2>
      <p>
        {b
          ? t('costs.budgetUsed', { spent: money(b.spent, b.currency), budget: money(b.amount, b.currency), percent: b.percentUsed, alert: b.alertPercent })
          : t('costs.noBudget')}
      </p>
      {b && <progress className="budget-meter" max={100} value={Math.min(100, b.percentUsed)} aria-label={t('costs.budget')} />}
      <Can I="update" a="Setting">
        <button type="button" className="button-secondary" data-button="costs.editBudget" onClick={onEdit}>
          {t('costs.editBudget')}
        </button>
      </Can>
    </div>
  );
}

function Totals({ spend }: { spend: SpendReport }) {
  const { t } = useI18n();
  const money = useMoney();
  if (spend.totals.length === 0) {
    return <p className="costs-total" id="costs-total">{t('costs.nothing')}</p>;
  }
  return (
    <ul className="plain-list costs-total" id="costs-total">
      {spend.totals.map((total) => (
        <li key={total.currency ?? 'none'} data-currency={total.currency ?? ''}>
          <strong>{total.currency ? money(total.amount, total.currency) : t('costs.noCard')}</strong>{' '}
          {t('costs.totalLine', { messages: total.messages, unpriced: total.unpriced, free: total.free })}
        </li>
      ))}
    </ul>
  );
}

function SpendTable({ id, title, column, lines, keyLabel }: { id: string; title: MessageKey; column: MessageKey; lines: Line[]; keyLabel?: (key: string) => string }) {
  const { t } = useI18n();
  const money = useMoney();
  return (
    <div className="card">
      <h2 id={`${id}-title`}>{t(title)}</h2>
      <div className="table-wrap">
        <table className="table" id={id} aria-labelledby={`${id}-title`}>
          <thead>
            <tr>
              <th scope="col">{t(column)}</th>
              <th scope="col" className="numeric">{t('costs.amount')}</th>
              <th scope="col" className="numeric">{t('costs.messages')}</th>
              <th scope="col" className="numeric">{t('costs.unpriced')}</th>
            </tr>
          </thead>
          <tbody>
            {lines.length === 0 && (
              <tr>
                <td colSpan={4}>{t('costs.none')}</td>
              </tr>
            )}
            {lines.map((line) => (
              <tr key={`${line.key}:${line.currency ?? ''}`} data-key={line.key}>
                <td>{line.key === '' ? t('costs.unknown') : keyLabel ? keyLabel(line.key) : line.label}</td>
                <td className="numeric">{line.currency ? money(line.amount, line.currency) : '—'}</td>
                <td className="numeric">{line.messages}</td>
                <td className="numeric">{line.unpriced}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function BudgetDialog({ spend, onClose, onSaved }: { spend: SpendReport; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [amount, setAmount] = useState(spend.budget ? String(spend.budget.amount) : '');
  const [currency, setCurrency] = useState(spend.budget?.currency ?? 'EUR');
  const [percent, setPercent] = useState(String(spend.budget?.alertPercent ?? 80));
  const action = useAction();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const budget = amount.trim() === '' ? null : { amount: Number(amount), currency: currency.trim().toUpperCase() };
    if ((await action.run(() => costsApi.saveBudget(budget, Number(percent)))) !== undefined) {
      onSaved();
    }
  }

  return (
    <Dialog title={t('costs.editBudget')} onClose={onClose} id="budget-dialog">
      <form onSubmit={(event) => void submit(event)}>
        <FormField id="budget-amount" label={t('costs.budgetAmount')} hint={t('costs.budgetAmountHint')} error={fieldError(action.error, 'monthlyBudget.amount')}>
          {(describedBy, invalid) => (
            <input id="budget-amount" type="number" min="0" step="0.01" inputMode="decimal" aria-describedby={describedBy} aria-invalid={invalid} value={amount} onChange={(e) => setAmount(e.target.value)} />
          )}
        </FormField>
        <FormField id="budget-currency" label={t('costs.currency')} error={fieldError(action.error, 'monthlyBudget.currency')}>
          {(describedBy, invalid) => (
            <input id="budget-currency" maxLength={3} aria-describedby={describedBy} aria-invalid={invalid} value={currency} onChange={(e) => setCurrency(e.target.value)} />
          )}
        </FormField>
        <FormField id="budget-percent" label={t('costs.alertPercent')} error={fieldError(action.error, 'budgetAlertPercent')}>
          {(describedBy, invalid) => (
            <input id="budget-percent" type="number" min="1" max="100" required aria-describedby={describedBy} aria-invalid={invalid} value={percent} onChange={(e) => setPercent(e.target.value)} />
          )}
        </FormField>
        <ErrorAlert error={action.error} />
        <FormActions onCancel={onClose} disabled={action.busy} can={['update', 'Setting']} button="costs.saveBudget" label={t('common.save')} />
      </form>
    </Dialog>
  );
}
