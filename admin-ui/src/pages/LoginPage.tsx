import { useState } from 'react';
import type { FormEvent } from 'react';
import { useSession } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageTitle } from '../components/PageTitle';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { idleSignOutNotice, navigate, takeReturnTo } from '../router';

/** `#/login`: email and password. */
export function LoginPage() {
  const { t } = useI18n();
  const { login } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const [idle] = useState(idleSignOutNotice);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const user = await action.run(() => login(email.trim(), password));
    if (!user) {
      return;
    }
    setPassword('');
    navigate(user.mustChangePassword ? 'password' : (takeReturnTo() ?? 'home'), { replace: true });
  }

  return (
    <section className="card card-narrow">
      <PageTitle title={t('login.title')} />
      {idle && (
        <p id="login-idle-notice" className="hint" role="status">
          {idle.idleMinutes > 0 ? t('login.signedOutIdle', { minutes: idle.idleMinutes }) : t('login.signedOutIdleNoTime')}
        </p>
      )}
      <form onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor="login-email">{t('login.email')}</label>
          <input
            id="login-email"
            name="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">{t('login.password')}</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        <ErrorAlert error={action.error} />
        <div className="form-actions">
          <button type="submit" className="button-primary button-block" disabled={action.busy} data-button="auth.login">
            {action.busy ? t('login.submitting') : t('login.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
