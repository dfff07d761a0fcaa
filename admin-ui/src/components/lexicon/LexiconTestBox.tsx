import { useState } from 'react';
import type { FormEvent } from 'react';
import { lexiconApi } from '../../endpoints';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import type { LexiconTestResult } from '../../types';
import { Can } from '../Can';
import { ErrorAlert } from '../ErrorAlert';

/** "Test a message": what the lexicon reads in a text (normalised) and which terms it finds there. */
export function LexiconTestBox() {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [result, setResult] = useState<LexiconTestResult | null>(null);
  const testing = useAction();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const answer = await testing.run(() => lexiconApi.test(text));
    if (answer) {
      setResult(answer);
    }
  }

  return (
    <section className="lexicon-section" aria-labelledby="lexicon-test-title">
      <h2 id="lexicon-test-title">{t('lexicon.testTitle')}</h2>
      <form className="lexicon-test" onSubmit={(event) => void submit(event)}>
        <label htmlFor="lexicon-test-text">{t('lexicon.testText')}</label>
        <textarea id="lexicon-test-text" name="text" rows={3} maxLength={4096} required value={text} onChange={(event) => setText(event.target.value)} />
        <Can I="read" a="Lexicon">
          <button type="submit" className="button-secondary" disabled={testing.busy || text.trim() === ''} data-button="lexicon.test">
            {t('lexicon.testSubmit')}
          </button>
        </Can>
      </form>
      <ErrorAlert error={testing.error} />
      {result && (
        <div id="lexicon-test-result" data-verdict={result.verdict ?? 'none'} role="status">
          <p className={result.verdict ? `lexicon-verdict lexicon-action-${result.verdict}` : 'lexicon-verdict'}>
            {result.verdict === 'block' ? t('lexicon.testBlock') : result.verdict === 'flag' ? t('lexicon.testFlag') : t('lexicon.testClean')}
          </p>
          <p>
            {t('lexicon.testNormalized')}: <code id="lexicon-test-normalized">{result.normalized}</code>
          </p>
          {result.matches.length > 0 && (
            <ul id="lexicon-test-matches">
              {result.matches.map((m) => (
                <li key={`${m.termId}-${m.start}`} data-term={m.term} data-action={m.action}>
                  {t('lexicon.testMatch', { text: m.text, term: m.term, action: t(`lexicon.action.${m.action}`) })}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
