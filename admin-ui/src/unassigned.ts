/**
 * The unassigned counter: how many open conversations wait for an agent, among those the user
 * may read. Asked once when the panel opens (and after a reconnection); from then on the server
 * pushes `unassigned.count` whenever it changes for this user, so nothing polls. One feed for the
 * whole panel: the navigation, the inbox's view picker and the tab title read the same number.
 */
import { useEffect, useSyncExternalStore } from 'react';
import { inBackground } from './api';
import { setTitleCount } from './documentTitle';
import { noticeApi } from './endpoints';
import { subscribeServerEvents } from './events';

type RiseListener = (count: number) => void;

let count: number | null = null;
/** Bumped by every pushed count: an answer asked for before it is older, and dropped. */
let pushed = 0;
const watchers = new Set<() => void>();
const riseListeners = new Set<RiseListener>();
let stopEvents: (() => void) | null = null;

function set(next: number | null, announceRise: boolean): void {
  const previous = count;
  count = next;
  setTitleCount(next);
  for (const watcher of [...watchers]) {
    watcher();
  }
  if (announceRise && next !== null && previous !== null && next > previous) {
    for (const listener of [...riseListeners]) {
      listener(next);
    }
  }
}

function refetch(): void {
  const asked = pushed;
  inBackground(() => noticeApi.unassignedCount()).then(
    (answer) => {
      if (asked === pushed && stopEvents) {
        set(answer.count, false);
      }
    },
    () => undefined,
  );
}

function start(): void {
  stopEvents = subscribeServerEvents((event) => {
    if (event.type === 'unassigned.count') {
      pushed += 1;
      set(event.count, true);
    } else if (event.type === 'reconnected') {
      refetch();
    }
  });
  refetch();
}

function stop(): void {
  stopEvents?.();
  stopEvents = null;
  pushed += 1;
  set(null, false);
}

/** Keeps the counter live while `active` (the user may read conversations) and the caller is mounted. */
export function useUnassignedFeed(active: boolean): void {
  useEffect(() => {
    if (!active) {
      return undefined;
    }
    start();
    return stop;
  }, [active]);
}

function watch(watcher: () => void): () => void {
  watchers.add(watcher);
  return () => watchers.delete(watcher);
}

/** The current count; null while unknown or when the user may read no conversation. */
export function useUnassignedCount(): number | null {
  return useSyncExternalStore(watch, () => count);
}

/** Calls `listener` with the new count each time a pushed count is higher than the last (a customer waits). */
export function onUnassignedRise(listener: RiseListener): () => void {
  riseListeners.add(listener);
  return () => riseListeners.delete(listener);
}
