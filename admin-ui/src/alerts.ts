/**
 * Alerts of new customers: a desktop notification and, if chosen, a short tone when a customer
 * starts waiting, and when a message arrives in one of the user's own conversations while the
 * tab is hidden. Opt-in: the inbox asks once per user, and the answer is stored on the server
 * (`/me/preferences`) so it follows the user to every browser. The browser's own permission is
 * asked only when the user clicks Enable.
 */
import { useEffect, useSyncExternalStore } from 'react';
import { inBackground } from './api';
import { noticeApi } from './endpoints';
import { subscribeServerEvents } from './events';
import { useI18n } from './i18n';
import { contactName } from './inbox';
import type { ApiResponse } from './types';
import { onUnassignedRise } from './unassigned';

export type Preferences = ApiResponse<'/api/v1/me/preferences', 'get'>['preferences'];

let preferences: Preferences | null = null;
const watchers = new Set<() => void>();

function setPreferences(next: Preferences | null): void {
  preferences = next;
  for (const watcher of [...watchers]) {
    watcher();
  }
}

function watch(watcher: () => void): () => void {
  watchers.add(watcher);
  return () => watchers.delete(watcher);
}

/** The user's alert preferences; null until loaded. */
export function usePreferences(): Preferences | null {
  return useSyncExternalStore(watch, () => preferences);
}

/** Saves some preferences on the server and keeps what it answers. */
export async function savePreferences(patch: Partial<Omit<Preferences, 'newCustomerAlerts'>> & { newCustomerAlerts?: 'enabled' | 'declined' }): Promise<void> {
  setPreferences((await noticeApi.savePreferences(patch)).preferences);
}

/** Whether this browser can show desktop notifications at all. */
export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

/** Asks the browser's permission (only ever from a click); resolves with its answer. */
export async function askNotificationPermission(): Promise<NotificationPermission | 'unsupported'> {
  if (!notificationsSupported()) {
    return 'unsupported';
  }
  if (Notification.permission !== 'default') {
    return Notification.permission;
  }
  return Notification.requestPermission();
}

// The tone: two short sine notes, generated (no audio file to ship or fetch).
const TONE_NOTES_HZ = [880, 1320];
const NOTE_SECONDS = 0.12;
let audio: AudioContext | null = null;

/** Plays the alert tone; silently does nothing where audio is unavailable or not yet allowed. */
export function playTone(): void {
  try {
    audio ??= new AudioContext();
    // Browsers start audio suspended until the page had a click; resuming may then be refused.
    void audio.resume().catch(() => undefined);
    const start = audio.currentTime;
    TONE_NOTES_HZ.forEach((hz, i) => {
      const at = start + i * NOTE_SECONDS;
      const oscillator = audio!.createOscillator();
      const gain = audio!.createGain();
      oscillator.frequency.value = hz;
      // A soft attack and release: no click at either end.
      gain.gain.setValueAtTime(0, at);
      gain.gain.linearRampToValueAtTime(0.15, at + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.001, at + NOTE_SECONDS);
      oscillator.connect(gain).connect(audio!.destination);
      oscillator.start(at);
      oscillator.stop(at + NOTE_SECONDS);
    });
  } catch {
    // No Web Audio here: the notification is enough.
  }
}

function alert(title: string, body: string, tag: string): void {
  const current = preferences;
  if (current?.newCustomerAlerts !== 'enabled') {
    return;
  }
  if (current.sound) {
    playTone();
  }
  if (notificationsSupported() && Notification.permission === 'granted') {
    // One notification per tag: a newer one replaces it rather than piling up.
    const notification = new Notification(title, { body, tag });
    notification.onclick = () => {
      window.focus();
      notification.close();
    };
  }
}

/**
 * Loads the user's preferences and raises the alerts while mounted (in the signed-in layout,
 * so they work from any page). `active`: the user may read conversations.
 */
export function useNewCustomerAlerts(active: boolean, meId: string): void {
  const { t } = useI18n();
  useEffect(() => {
    if (!active) {
      return undefined;
    }
    let live = true;
    inBackground(() => noticeApi.preferences()).then(
      (answer) => live && setPreferences(answer.preferences),
      () => undefined,
    );
    const stopRise = onUnassignedRise((count) => alert(t('notice.newCustomer'), t('notice.waiting', { count }), 'sb-unassigned'));
    // A customer's message comes as message.created, then the conversation it belongs to.
    const inbound = new Set<string>();
    const stopEvents = subscribeServerEvents((event) => {
      if (event.type === 'message.created' && event.message.direction === 'in') {
        inbound.add(event.conversationId);
      } else if (event.type === 'conversation.updated' && inbound.delete(event.conversation.id)) {
        const conversation = event.conversation;
        if (conversation.assignee?.id === meId && document.visibilityState === 'hidden') {
          alert(t('notice.newMessage', { name: contactName(conversation) }), t('notice.newMessageHint'), `sb-conversation-${conversation.id}`);
        }
      }
    });
    return () => {
      live = false;
      stopRise();
      stopEvents();
      setPreferences(null);
    };
  }, [active, meId, t]);
}
