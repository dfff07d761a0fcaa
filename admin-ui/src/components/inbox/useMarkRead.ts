import { useCallback, useEffect, useRef } from 'react';
import { inBackground } from '../../api';
import { conversationsApi } from '../../endpoints';

/** Whether the user can see the tab (a hidden tab reads nothing). */
export function isVisible(): boolean {
  return document.visibilityState === 'visible';
}

/**
 * Marking the open conversation read: at once (`markRead`), shortly after a burst of live
 * messages with one request (`scheduleRead`), and when the tab comes back into view after
 * messages arrived while it was hidden.
 */
export function useMarkRead(conversationId: string, onRead: (conversationId: string) => void) {
  const unreadWhileHidden = useRef(false);
  const readTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // The parent's callback, read when needed, so its identity never triggers a reload.
  const parent = useRef(onRead);
  useEffect(() => {
    parent.current = onRead;
  });

  const markRead = useCallback(() => {
    unreadWhileHidden.current = false;
    if (readTimer.current) {
      clearTimeout(readTimer.current);
      readTimer.current = null;
    }
    parent.current(conversationId);
    conversationsApi.markRead(conversationId).catch(() => undefined);
  }, [conversationId]);

  /** Marks read shortly after a burst of new messages, with one request. */
  const scheduleRead = useCallback(() => {
    if (!isVisible()) {
      unreadWhileHidden.current = true;
      return;
    }
    if (!readTimer.current) {
      // Marking read after a live message is the panel's doing, not the user's: no activity.
      readTimer.current = setTimeout(() => inBackground(markRead), 400);
    }
  }, [markRead]);

  /** Opened while the tab is hidden: read when it comes into view. */
  const readWhenVisible = useCallback(() => {
    if (isVisible()) {
      markRead();
    } else {
      unreadWhileHidden.current = true;
    }
  }, [markRead]);

  useEffect(
    () => () => {
      if (readTimer.current) {
        clearTimeout(readTimer.current);
      }
    },
    [],
  );

  // Back in the tab with messages received meanwhile: they are read now.
  useEffect(() => {
    function onVisibility() {
      if (isVisible() && unreadWhileHidden.current) {
        markRead();
      }
    }
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, [markRead]);

  return { scheduleRead, readWhenVisible };
}
