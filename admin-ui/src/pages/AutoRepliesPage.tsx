import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Can } from '../components/Can';
import { answerSummary } from '../components/autoreply/answerDraft';
import { RuleDialog } from '../components/autoreply/RuleForm';
import { ErrorAlert } from '../components/ErrorAlert';
import { ListPage, RowAction } from '../components/ListPage';
import { autoReplyApi } from '../endpoints';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { AutoReplyRule, AutoReplyStats, AutoReplyTest } from '../types';

/** What a rule answers, for the list: the kind, then its text or the name of its file, template or integration. */
function AnswerCell({ rule }: { rule: AutoReplyRule }) {
  const { t } = useI18n();
  const { kind, summary } = answerSummary(rule);
  return (
    <span data-answer-kind={kind}>
      <span className="badge">{t(`autoreply.kind.${kind}`)}</span> {summary || <span className="muted">{t('autoreply.answerGone')}</span>}
    </span>
  );
}

/** "Try a message": which rule would answer it, and every rule it matches. */
function TestBox() {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [result, setResult] = useState<AutoReplyTest | null>(null);
  const testing = useAction();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const answer = await testing.run(() => autoReplyApi.test(text));
    if (answer) {
      setResult(answer);
    }
  }

  return (
    <section className="lexicon-section" aria-labelledby="autoreply-test-title">
      <h2 id="autoreply-test-title">{t('autoreply.testTitle')}</h2>
      <form className="lexicon-test" onSubmit={(event) => void submit(event)}>
        <label htmlFor="autoreply-test-text">{t('autoreply.testText')}</label>
        <textarea id="autoreply-test-text" name="text" rows={2} maxLength={4096} required value={text} onChange={(event) => setText(event.target.value)} />
        <Can I="read" a="AutoReplyRule">
          <button type="submit" className="button-secondary" disabled={testing.busy || text.trim() === ''} data-button="autoreply.test">
            {t('autoreply.testSubmit')}
          </button>
        </Can>
      </form>
      <ErrorAlert error={testing.error} />
      {result && (
        <div id="autoreply-test-result" role="status" data-fires={result.fires?.id ?? 'none'}>
          <p>{result.fires ? t('autoreply.testFires', { name: result.fires.name }) : t('autoreply.testNone')}</p>
          {result.matches.length > 1 && <p>{t('autoreply.testAlso', { names: result.matches.slice(1).map((m) => m.name).join(', ') })}</p>}
        </div>
      )}
    </section>
  );
}

/** `#/auto-replies`: keyword rules by priority, the tester, and the share resolved without a human. */
export function AutoRepliesPage() {
  const { t } = useI18n();
  const [items, setItems] = useState<AutoReplyRule[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [editing, setEditing] = useState<{ rule: AutoReplyRule | null } | null>(null);
  const [stats, setStats] = useState<AutoReplyStats | null>(null);
  const list = useAction();
  const change = useAction();
  const { run: runList } = list;

  const load = useCallback(async () => {
    const page = await runList(() => autoReplyApi.list());
    if (page) {
      setItems(page.items);
      setLoaded(true);
    }
    setStats(await autoReplyApi.stats().catch(() => null));
  }, [runList]);

  useEffect(() => {
    void load();
  }, [load]);

  async function toggle(rule: AutoReplyRule) {
    const result = await change.run(() => autoReplyApi.update(rule.id, { enabled: !rule.enabled }));
    if (result) {
      setItems((previous) => previous.map((item) => (item.id === rule.id ? result.rule : item)));
    }
  }

  return (
    <>
      <ListPage<AutoReplyRule>
        title={t('autoreply.title')}
        intro={
          <p className="hint" id="autoreply-share">
            {t('autoreply.intro')}{' '}
            {stats && (stats.share === null ? t('autoreply.shareNone') : t('autoreply.share', { percent: Math.round(stats.share * 100), resolved: stats.resolved, days: stats.days }))}
          </p>
        }
        create={{ can: ['create', 'AutoReplyRule'], button: 'autoreply.create', label: t('autoreply.add'), onClick: () => setEditing({ rule: null }) }}
        tableId="autoreply-table"
        columns={[
          { key: 'name', header: t('autoreply.name'), cell: (r) => r.name },
          { key: 'priority', header: t('autoreply.priority'), numeric: true, cell: (r) => r.priority },
          { key: 'mode', header: t('autoreply.mode'), cell: (r) => t(`autoreply.mode.${r.mode}`) },
          { key: 'keywords', header: t('autoreply.keywords'), cell: (r) => <code>{r.keywords.join(' · ')}</code> },
          { key: 'answer', header: t('autoreply.answer'), cell: (r) => <AnswerCell rule={r} /> },
          { key: 'enabled', header: t('autoreply.state'), cell: (r) => (r.enabled ? t('autoreply.on') : t('autoreply.off')) },
        ]}
        rows={items}
        rowKey={(r) => r.id}
        rowAttributes={(r) => ({ 'data-id': r.id, 'data-name': r.name })}
        rowActions={(r, { askDelete }) => (
          <>
            <RowAction can={['update', 'AutoReplyRule']} button="autoreply.edit" label={t('common.edit')} name={r.name} onClick={() => setEditing({ rule: r })} />
            <RowAction can={['update', 'AutoReplyRule']} button="autoreply.toggle" label={r.enabled ? t('autoreply.disable') : t('autoreply.enable')} name={r.name} disabled={change.busy} onClick={() => void toggle(r)} />
            <RowAction can={['delete', 'AutoReplyRule']} button="autoreply.delete" label={t('common.delete')} name={r.name} onClick={askDelete} danger />
          </>
        )}
        loaded={loaded}
        busy={list.busy}
        error={list.error ?? change.error}
        empty={t('autoreply.empty')}
        deletion={{
          can: ['delete', 'AutoReplyRule'],
          button: 'autoreply.confirmDelete',
          title: t('autoreply.deleteTitle'),
          text: (r) => <p>{t('autoreply.deleteText', { name: r.name })}</p>,
          remove: (r) => autoReplyApi.remove(r.id),
          onRemoved: (r) => setItems((previous) => previous.filter((item) => item.id !== r.id)),
        }}
      >
        {editing && (
          <RuleDialog
            rule={editing.rule}
            onClose={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              void load();
            }}
          />
        )}
      </ListPage>
      <TestBox />
    </>
  );
}
