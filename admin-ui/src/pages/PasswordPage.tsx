import { useState } from 'react';
import type { FormEvent } from 'react';
import { useSession } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageTitle } from '../components/PageTitle';
import { authApi } from '../endpoints';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { navigate } from '../router';

const PASSWORD_ERRORS = { invalid_credentials: 'password.currentWrong' } as const;

/** `#/password`: change one's own password; forced after a reset or a new account. */
export function PasswordPage({ forced }: { forced: boolean }) {
  const { t } = useI18n();
  const { refresh } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);
  const action = useAction();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (next !== confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    const ok = await action.run(async () => {
      await authApi.changePassword(current, next);
      // The forced flag (and possibly the CSRF token) changed: re-read the session.
      await refresh();
      return true;
    });
    if (!ok) {
      return;
    }
    setCurrent('');
    setNext('');
    setConfirm('');
    setDone(true);
    if (forced) {
      navigate('home', { replace: true });
    }
  }

  return (
    <section className={forced ? 'card card-narrow' : 'card card-medium'}>
      <PageTitle title={t('password.title')}>
        {forced && <p className="lead">{t('password.forced')}</p>}
      </PageTitle>
      <form onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor="current-password">{t('password.current')}</label>
          <input
            id="current-password"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(event) => setCurrent(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="new-password">{t('password.new')}</label>
          <input
            id="new-password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            required
            aria-describedby="new-password-hint"
            value={next}
            onChange={(event) => setNext(event.target.value)}
          />
          <p id="new-password-hint" className="hint">
            {t('password.hint')}
          </p>
        </div>
        <div className="field">
          <label htmlFor="confirm-password">{t('password.confirm')}</label>
          <input
            id="confirm-password"
            name="confirmPassword"
            type="password"
            autoComplete="new-password"
            required
            aria-invalid={mismatch}
            value={confirm}
            onChange={(event) => setConfirm(event.target.value)}
          />
        </div>
        {mismatch && (
          <div role="alert" className="alert alert-error">
            <p>{t('password.mismatch')}</p>
          </div>
        )}
        <ErrorAlert error={action.error} overrides={PASSWORD_ERRORS} />
        {done && (
          <p role="status" className="alert alert-success">
            {t('password.changed')}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={action.busy} data-button="auth.submitPassword">
            {t('password.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
