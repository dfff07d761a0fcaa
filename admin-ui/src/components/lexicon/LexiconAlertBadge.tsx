import { useEffect, useState } from 'react';
import { useSession } from '../../auth';
import { subscribeServerEvents } from '../../events';
import { useI18n } from '../../i18n';
import { useRoute } from '../../router';

/**
 * The live lexicon alert beside the menu's Lexicon entry: how many flagged messages came in since
 * the page was last open, for those who may read the hits (and the live stream: conversations).
 */
export function LexiconAlertBadge() {
  const { t } = useI18n();
  const { ability } = useSession();
  const route = useRoute();
  const [count, setCount] = useState(0);
  const listens = ability.can('read', 'LexiconHit') && ability.can('read', 'Conversation');

  useEffect(() => {
    if (!listens) {
      return undefined;
    }
    return subscribeServerEvents((event) => {
      if (event.type === 'lexicon.flagged') {
        setCount((n) => n + 1);
      }
    });
  }, [listens]);

  useEffect(() => {
    if (route === 'lexicon') {
      setCount(0);
    }
  }, [route, count]);

  if (count === 0) {
    return null;
  }
  return (
    <span className="nav-badge" id="lexicon-alerts" role="status" aria-label={t('lexicon.alerts', { count })}>
      {count}
    </span>
  );
}
