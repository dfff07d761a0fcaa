import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Can } from '../components/Can';
import { ListPage, RowAction } from '../components/ListPage';
import { AddTermDialog, ImportDialog } from '../components/lexicon/LexiconDialogs';
import { LexiconHits } from '../components/lexicon/LexiconHits';
import { LexiconTestBox } from '../components/lexicon/LexiconTestBox';
import { lexiconApi, PAGE_SIZE } from '../endpoints';
import { useFormats } from '../format';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { LexiconTerm } from '../types';

type Filters = { q: string; locale: string; offset: number };
type Open = 'add' | 'import' | null;

/** `#/lexicon`: the outbound lexicon's terms with their hit statistics, the test box and the hits to review. */
export function LexiconPage() {
  const { t } = useI18n();
  const formats = useFormats();
  const [items, setItems] = useState<LexiconTerm[]>([]);
  const [total, setTotal] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [query, setQuery] = useState('');
  const [filters, setFilters] = useState<Filters>({ q: '', locale: '', offset: 0 });
  const [open, setOpen] = useState<Open>(null);
  const list = useAction();
  const change = useAction();
  const { run: runList } = list;

  const load = useCallback(async (f: Filters) => {
    const page = await runList(() => lexiconApi.list(f));
    if (page) {
      setItems(page.items);
      setTotal(page.total);
      setLoaded(true);
    }
  }, [runList]);

  useEffect(() => {
    void load(filters);
  }, [filters, load]);

  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFilters((current) => ({ ...current, q: query.trim(), offset: 0 }));
  }

  async function switchAction(term: LexiconTerm) {
    const result = await change.run(() => lexiconApi.changeAction(term.id, term.action === 'block' ? 'flag' : 'block'));
    if (result) {
      setItems((previous) => previous.map((item) => (item.id === term.id ? result.term : item)));
    }
  }

  const page = (offset: number) => setFilters((current) => ({ ...current, offset: Math.max(0, offset) }));

  return (
    <>
      <ListPage<LexiconTerm>
        title={t('lexicon.title')}
        intro={<p className="hint">{t('lexicon.intro')}</p>}
        create={{ can: ['create', 'Lexicon'], button: 'lexicon.add', label: t('lexicon.add'), onClick: () => setOpen('add') }}
        actions={
          <Can I="import" a="Lexicon">
            <button type="button" className="button-secondary" onClick={() => setOpen('import')} data-button="lexicon.import">
              {t('lexicon.import')}
            </button>
          </Can>
        }
        toolbar={
          <div className="toolbar">
            <form role="search" className="toolbar-search" onSubmit={search}>
              <label htmlFor="lexicon-search">{t('lexicon.search')}</label>
              <input id="lexicon-search" name="q" type="search" value={query} onChange={(event) => setQuery(event.target.value)} />
              <Can I="read" a="Lexicon">
                <button type="submit" className="button-secondary" data-button="lexicon.search">
                  {t('common.search')}
                </button>
              </Can>
            </form>
            <div className="toolbar-filter">
              <label htmlFor="lexicon-locale">{t('lexicon.locale')}</label>
              <input
                id="lexicon-locale"
                name="locale"
                list="lexicon-locales"
                placeholder={t('lexicon.anyLocale')}
                value={filters.locale}
                onChange={(event) => {
                  const locale = event.target.value.trim();
                  if (locale === '' || /^[a-z]{2,3}(-[A-Z]{2})?$/.test(locale)) {
                    setFilters((current) => ({ ...current, locale, offset: 0 }));
                  }
                }}
              />
              <datalist id="lexicon-locales">
                <option value="en" />
                <option value="fr" />
              </datalist>
            </div>
          </div>
        }
        tableId="lexicon-table"
        columns={[
          { key: 'term', header: t('lexicon.term'), cell: (term) => term.term },
          { key: 'normalized', header: t('lexicon.normalized'), cell: (term) => <code>{term.normalized}</code> },
          { key: 'locale', header: t('lexicon.locale'), cell: (term) => term.locale },
          { key: 'action', header: t('lexicon.action'), cell: (term) => <span className={`lexicon-action lexicon-action-${term.action}`}>{t(`lexicon.action.${term.action}`)}</span> },
          { key: 'source', header: t('lexicon.source'), cell: (term) => t(`lexicon.source.${term.source}`) },
          {
            key: 'hits', header: t('lexicon.hitsColumn'), numeric: true,
            cell: (term) => <span data-hits={term.stats.hits}>{t('lexicon.hitsDetail', { hits: term.stats.hits, blocked: term.stats.blocked, flagged: term.stats.flagged })}</span>,
          },
          { key: 'lastHit', header: t('lexicon.lastHit'), cell: (term) => (term.stats.lastHitAt ? formats.dateTime(term.stats.lastHitAt) : t('common.never')) },
        ]}
        rows={items}
        rowKey={(term) => term.id}
        rowAttributes={(term) => ({ 'data-id': term.id, 'data-term': term.normalized })}
        rowActions={(term, { askDelete }) => (
          <>
            <RowAction
              can={['update', 'Lexicon']}
              button="lexicon.changeAction"
              label={term.action === 'block' ? t('lexicon.makeFlag') : t('lexicon.makeBlock')}
              name={term.term}
              disabled={change.busy}
              onClick={() => void switchAction(term)}
            />
            <RowAction can={['delete', 'Lexicon']} button="lexicon.delete" label={t('common.delete')} name={term.term} onClick={askDelete} danger />
          </>
        )}
        loaded={loaded}
        busy={list.busy}
        error={list.error ?? change.error}
        empty={t('lexicon.empty')}
        deletion={{
          can: ['delete', 'Lexicon'],
          button: 'lexicon.confirmDelete',
          title: t('lexicon.deleteTitle'),
          text: (term) => <p>{t('lexicon.deleteText', { term: term.term, locale: term.locale })}</p>,
          remove: (term) => lexiconApi.remove(term.id),
          onRemoved: (term) => {
            setItems((previous) => previous.filter((item) => item.id !== term.id));
            setTotal((n) => n - 1);
          },
        }}
        footer={
          <div className="lexicon-pager">
            <span id="lexicon-total">{t('lexicon.total', { count: total })}</span>
            <button type="button" className="button-secondary" disabled={filters.offset === 0} onClick={() => page(filters.offset - PAGE_SIZE)} data-ui="lexicon.previous">
              {t('lexicon.previous')}
            </button>
            <button type="button" className="button-secondary" disabled={filters.offset + PAGE_SIZE >= total} onClick={() => page(filters.offset + PAGE_SIZE)} data-ui="lexicon.next">
              {t('lexicon.next')}
            </button>
          </div>
        }
      >
        {open === 'add' && (
          <AddTermDialog
            onClose={() => setOpen(null)}
            onAdded={() => {
              setOpen(null);
              void load(filters);
            }}
          />
        )}
        {open === 'import' && <ImportDialog onClose={() => setOpen(null)} onImported={() => void load(filters)} />}
      </ListPage>
      <LexiconTestBox />
      <Can I="read" a="LexiconHit">
        <LexiconHits />
      </Can>
    </>
  );
}
