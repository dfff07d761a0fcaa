import { ApiError } from '../../api';
import { useI18n } from '../../i18n';

/** The terms a `lexicon_blocked` refusal names, or null for any other error. */
export function blockedTerms(error: unknown): string[] | null {
  if (!(error instanceof ApiError) || error.id !== 'lexicon_blocked' || !Array.isArray(error.details.terms)) {
    return null;
  }
  return error.details.terms.filter((term): term is string => typeof term === 'string');
}

/** Beside the message box: the message was not sent, and which lexicon terms stopped it. */
export function LexiconBlocked({ terms }: { terms: string[] }) {
  const { t } = useI18n();
  return (
    <div role="alert" className="alert alert-error" id="composer-lexicon-blocked" data-terms={terms.join('|')}>
      <p>{t('lexicon.blockedInComposer', { terms: terms.map((term) => `“${term}”`).join(', ') })}</p>
    </div>
  );
}
