import { useEffect, useRef, useState } from 'react';
import type { PageRoute } from '../ability';
import { subscribeServerEvents, type ServerEvent } from '../events';
import { useI18n, type MessageKey } from '../i18n';
import { useRoute } from '../router';

type AlertEvent = Extract<ServerEvent, { type: 'lexicon.flagged' | 'routing.overdue' }>;

/**
 * A live alert beside a menu entry: how many distinct things (`keyOf`: a flagged message, a
 * conversation left waiting) were alerted since the entry's page was last open. Nothing for users
 * who do not receive the alert (`listens`), and nothing while the count is zero.
 */
export function LiveAlertBadge({ id, route, event, listens, label, keyOf }: {
  id: string;
  route: PageRoute;
  event: AlertEvent['type'];
  listens: boolean;
  /** Its `{count}` is the number shown. */
  label: MessageKey;
  keyOf: (event: AlertEvent) => string;
}) {
  const { t } = useI18n();
  const current = useRoute();
  const [keys, setKeys] = useState<ReadonlySet<string>>(new Set());
  const keyOfRef = useRef(keyOf);
  keyOfRef.current = keyOf;

  useEffect(() => {
    if (!listens) {
      return undefined;
    }
    return subscribeServerEvents((received) => {
      if (received.type === event) {
        const key = keyOfRef.current(received);
        setKeys((previous) => (previous.has(key) ? previous : new Set(previous).add(key)));
      }
    });
  }, [listens, event]);

  // Opening the page is seeing the alerts.
  useEffect(() => {
    if (current === route && keys.size > 0) {
      setKeys(new Set());
    }
  }, [current, route, keys]);

  if (keys.size === 0) {
    return null;
  }
  return (
    <span className="nav-badge" id={id} data-count={keys.size} role="status" aria-label={t(label, { count: keys.size })}>
      {keys.size}
    </span>
  );
}
