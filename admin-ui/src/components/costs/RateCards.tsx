import { useCallback, useEffect, useState } from 'react';
import { costsApi } from '../../endpoints';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import type { RateCard } from '../../types';
import { Can } from '../Can';
import { ConfirmDialog } from '../ConfirmDialog';
import { ErrorAlert } from '../ErrorAlert';
import { RateCardForm } from './RateCardForm';

type Editing = { mode: 'create' | 'edit' | 'view'; card: RateCard | null };

/** The dated rate cards: the one in force, the future ones (still editable) and the past ones (history). */
export function RateCards() {
  const { t } = useI18n();
  const [cards, setCards] = useState<RateCard[] | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<RateCard | null>(null);
  const list = useAction();
  const removal = useAction();
  const { run } = list;

  const load = useCallback(async () => {
    const page = await run(() => costsApi.cards());
    if (page) {
      setCards(page.items);
    }
  }, [run]);

  useEffect(() => {
    void load();
  }, [load]);

  const current = cards?.find((c) => c.current) ?? null;
  const state = (c: RateCard) => (c.current ? 'current' : c.editable ? 'future' : 'past');

  return (
    <section className="card" aria-labelledby="rate-cards-title" id="rate-cards">
      <div className="page-header">
        <h2 id="rate-cards-title">{t('costs.cards')}</h2>
        <Can I="create" a="RateCard">
          <button type="button" className="button-primary" data-button="costs.newCard" onClick={() => setEditing({ mode: 'create', card: null })}>
            {t('costs.newCard')}
          </button>
        </Can>
      </div>
      <p>{t('costs.cardsIntro')}</p>
      <ErrorAlert error={list.error} />
      {cards && cards.length === 0 && <p id="rate-cards-empty">{t('costs.cardsEmpty')}</p>}
      {cards && cards.length > 0 && (
        <div className="table-wrap">
          <table className="table" id="rate-cards-table">
            <thead>
              <tr>
                <th scope="col">{t('costs.effectiveFrom')}</th>
                <th scope="col">{t('costs.currency')}</th>
                <th scope="col" className="numeric">{t('costs.prices')}</th>
                <th scope="col">{t('costs.state')}</th>
                <th scope="col" className="row-actions">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {cards.map((card) => (
                <tr key={card.id} data-id={card.id} data-effective={card.effectiveFrom} data-state={state(card)}>
                  <td>{card.effectiveFrom}</td>
                  <td>{card.currency}</td>
                  <td className="numeric">{card.prices.length}</td>
                  <td>
                    <span className={card.current ? 'badge badge-locked' : 'badge'}>{t(`costs.state.${state(card)}`)}</span>
                  </td>
                  <td className="row-actions">
                    <div className="row-actions-inline">
                    <button type="button" className="button-secondary" data-button="costs.viewCard" onClick={() => setEditing({ mode: 'view', card })}>
                      {t('costs.view')}
                    </button>
                    {card.editable && (
                      <>
                        <Can I="update" a="RateCard">
                          <button type="button" className="button-secondary" data-button="costs.editCard" onClick={() => setEditing({ mode: 'edit', card })}>
                            {t('common.edit')}
                          </button>
                        </Can>
                        <Can I="delete" a="RateCard">
                          <button type="button" className="button-danger" data-button="costs.deleteCard" onClick={() => setDeleting(card)}>
                            {t('common.delete')}
                          </button>
                        </Can>
                      </>
                    )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <RateCardForm
          mode={editing.mode}
          card={editing.card}
          current={current}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void load();
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={t('costs.deleteTitle', { date: deleting.effectiveFrom })}
          confirmLabel={t('common.delete')}
          can={['delete', 'RateCard']}
          button="costs.confirmDeleteCard"
          danger
          busy={removal.busy}
          error={removal.error}
          onClose={() => setDeleting(null)}
          onConfirm={() =>
            void removal.run(() => costsApi.deleteCard(deleting.id)).then((done) => {
              if (done !== undefined) {
                setDeleting(null);
                void load();
              }
            })
          }
        >
          <p>{t('costs.deleteText')}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
