import { useState } from 'react';
import { askNotificationPermission, notificationsSupported, playTone, savePreferences, usePreferences } from '../../alerts';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { ErrorAlert } from '../ErrorAlert';

const browserBlocks = () => notificationsSupported() && Notification.permission === 'denied';

/**
 * Above the conversation list: asks once whether to be alerted of new customers (Enable / Not
 * now); once answered, two small switches (alerts, sound) to change one's mind.
 */
export function NewCustomerAlerts() {
  const { t } = useI18n();
  const preferences = usePreferences();
  const save = useAction();
  const [blocked, setBlocked] = useState(browserBlocks);
  if (!preferences) {
    return null;
  }

  const enable = async () => {
    // The browser's own question comes only now, from the user's click.
    const permission = await askNotificationPermission();
    setBlocked(permission === 'denied');
    if ((await save.run(() => savePreferences({ newCustomerAlerts: 'enabled', sound: preferences.sound || preferences.newCustomerAlerts === 'unset' }))) !== undefined) {
      playTone();
    }
  };

  if (preferences.newCustomerAlerts === 'unset') {
    return (
      <section id="notice-prompt" className="notice-prompt" aria-labelledby="notice-prompt-title">
        <p id="notice-prompt-title" className="notice-prompt-title">{t('notice.prompt')}</p>
        <p className="hint">{t('notice.promptHint')}</p>
        <ErrorAlert error={save.error} />
        <div className="notice-actions">
          <button type="button" data-ui="notice.enable" disabled={save.busy} onClick={() => void enable()}>
            {t('notice.enable')}
          </button>
          <button
            type="button"
            className="button-secondary"
            data-ui="notice.notNow"
            disabled={save.busy}
            onClick={() => void save.run(() => savePreferences({ newCustomerAlerts: 'declined' }))}
          >
            {t('notice.notNow')}
          </button>
        </div>
      </section>
    );
  }

  const enabled = preferences.newCustomerAlerts === 'enabled';
  return (
    <div className="notice-settings">
      <label>
        <input
          type="checkbox"
          id="notice-alerts"
          checked={enabled}
          disabled={save.busy}
          onChange={(event) => {
            if (event.target.checked) {
              void enable();
            } else {
              void save.run(() => savePreferences({ newCustomerAlerts: 'declined' }));
            }
          }}
        />{' '}
        {t('notice.alerts')}
      </label>
      <label>
        <input
          type="checkbox"
          id="notice-sound"
          checked={preferences.sound}
          disabled={save.busy || !enabled}
          onChange={(event) => {
            const sound = event.target.checked;
            void save.run(() => savePreferences({ sound })).then((done) => done !== undefined && sound && playTone());
          }}
        />{' '}
        {t('notice.sound')}
      </label>
      {enabled && blocked && <p className="hint">{t('notice.blocked')}</p>}
      <ErrorAlert error={save.error} />
    </div>
  );
}
