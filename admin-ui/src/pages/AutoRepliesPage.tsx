import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Can } from '../components/Can';
import { Dialog } from '../components/Dialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormActions } from '../components/FormActions';
import { FormField } from '../components/FormField';
import { ListPage, RowAction } from '../components/ListPage';
import { autoReplyApi } from '../endpoints';
import { fieldError } from '../errors';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { AutoReplyRule, AutoReplyStats, AutoReplyTest } from '../types';

type Mode = AutoReplyRule['mode'];
const MODES: Mode[] = ['contains', 'word', 'exact', 'regex'];

/** What a rule answers, in a few words for the list. */
function answerSummary(rule: AutoReplyRule): string {
  const a = rule.answer;
  return a.kind === 'text' || a.kind === 'interactive' ? a.text : a.kind;
}

/**
 * Adds a rule, or changes one (`rule`), answering with a text or a text with reply buttons. A
 * rule answering otherwise (a file, a template, a lookup: set through the API) keeps its answer
 * unless a text is typed here.
 */
function RuleDialog({ rule, onClose, onSaved }: { rule: AutoReplyRule | null; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const typed = rule && (rule.answer.kind === 'text' || rule.answer.kind === 'interactive') ? rule.answer : null;
  const [name, setName] = useState(rule?.name ?? '');
  const [mode, setMode] = useState<Mode>(rule?.mode ?? 'word');
  const [keywords, setKeywords] = useState(rule?.keywords.join('\n') ?? '');
  const [priority, setPriority] = useState(rule?.priority ?? 0);
  const [cooldown, setCooldown] = useState(Math.round((rule?.cooldownSeconds ?? 3600) / 60));
  const [text, setText] = useState(typed?.text ?? '');
  const [buttons, setButtons] = useState(typed?.kind === 'interactive' ? typed.buttons.join(', ') : '');
  const saving = useAction();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const list = keywords.split('\n').map((k) => k.trim()).filter(Boolean);
    const titles = buttons.split(',').map((b) => b.trim()).filter(Boolean);
    const answer = titles.length > 0 ? { kind: 'interactive' as const, text, buttons: titles } : { kind: 'text' as const, text };
    const fields = { name, mode, keywords: list, priority, cooldownSeconds: cooldown * 60 };
    const saved = rule
      ? await saving.run(() => autoReplyApi.update(rule.id, text.trim() === '' && !typed ? fields : { ...fields, answer }))
      : await saving.run(() => autoReplyApi.create({ ...fields, answer }));
    if (saved) {
      onSaved();
    }
  }

  return (
    <Dialog title={rule ? t('autoreply.editTitle') : t('autoreply.addTitle')} onClose={onClose} id="autoreply-rule-dialog">
      <form onSubmit={(event) => void submit(event)}>
        <FormField id="autoreply-name" label={t('autoreply.name')} error={fieldError(saving.error, 'name')}>
          {(describedBy, invalid) => <input id="autoreply-name" name="name" required maxLength={120} aria-describedby={describedBy} aria-invalid={invalid} value={name} onChange={(event) => setName(event.target.value)} />}
        </FormField>
        <div className="field-row">
          <FormField id="autoreply-mode" label={t('autoreply.mode')}>
            {(describedBy) => (
              <select id="autoreply-mode" name="mode" aria-describedby={describedBy} value={mode} onChange={(event) => setMode(MODES.find((m) => m === event.target.value) ?? 'word')}>
                {MODES.map((m) => <option key={m} value={m}>{t(`autoreply.mode.${m}`)}</option>)}
              </select>
            )}
          </FormField>
          <FormField id="autoreply-priority" label={t('autoreply.priority')}>
            {(describedBy) => <input id="autoreply-priority" name="priority" type="number" min={-1000} max={1000} aria-describedby={describedBy} value={priority} onChange={(event) => setPriority(Number(event.target.value))} />}
          </FormField>
          <FormField id="autoreply-cooldown" label={t('autoreply.cooldown')}>
            {(describedBy) => <input id="autoreply-cooldown" name="cooldown" type="number" min={0} max={43200} aria-describedby={describedBy} value={cooldown} onChange={(event) => setCooldown(Number(event.target.value))} />}
          </FormField>
        </div>
        <FormField id="autoreply-keywords" label={t('autoreply.keywords')} hint={t('autoreply.keywordsHint')} error={fieldError(saving.error, 'keywords')}>
          {(describedBy, invalid) => <textarea id="autoreply-keywords" name="keywords" rows={3} required aria-describedby={describedBy} aria-invalid={invalid} value={keywords} onChange={(event) => setKeywords(event.target.value)} />}
        </FormField>
        <FormField id="autoreply-text" label={t('autoreply.answer')} error={fieldError(saving.error, 'answer')}>
          {(describedBy, invalid) => <textarea id="autoreply-text" name="text" rows={3} required={!rule || typed !== null} maxLength={1024} aria-describedby={describedBy} aria-invalid={invalid} value={text} onChange={(event) => setText(event.target.value)} />}
        </FormField>
        <FormField id="autoreply-buttons" label={t('autoreply.buttons')} hint={t('autoreply.buttonsHint')}>
          {(describedBy) => <input id="autoreply-buttons" name="buttons" aria-describedby={describedBy} value={buttons} onChange={(event) => setButtons(event.target.value)} />}
        </FormField>
        <ErrorAlert error={saving.error} />
        {rule ? (
          <FormActions onCancel={onClose} disabled={saving.busy} can={['update', 'AutoReplyRule']} button="autoreply.submitEdit" label={t('common.save')} />
        ) : (
          <FormActions onCancel={onClose} disabled={saving.busy} can={['create', 'AutoReplyRule']} button="autoreply.submitCreate" label={t('autoreply.add')} />
        )}
      </form>
    </Dialog>
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
          { key: 'answer', header: t('autoreply.answer'), cell: (r) => answerSummary(r) },
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
