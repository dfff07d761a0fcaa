import { useState } from 'react';
import type { FormEvent } from 'react';
import { useSession } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormField } from '../components/FormField';
import { PageTitle } from '../components/PageTitle';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { idleSignOutNotice, navigate, takeReturnTo } from '../router';
import { useFormErrors } from '../useFormErrors';

/** `#/login`: email and password. */
export function LoginPage() {
  const { t } = useI18n();
  const { login } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  // A wrong email or password stays in the alert: saying which one is wrong would help a guesser.
  const errors = useFormErrors(action.error, { email: t('login.email'), password: t('login.password') });
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
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
        <FormField id="login-email" label={t('login.email')} error={errors.field('email')}>
          {(describedBy, invalid) => (
            <input
              id="login-email"
              name="email"
              type="email"
              autoComplete="username"
              required
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
          )}
        </FormField>
        <FormField id="login-password" label={t('login.password')} error={errors.field('password')}>
          {(describedBy, invalid) => (
            <input
              id="login-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          )}
        </FormField>
        <ErrorAlert error={action.error} form={errors} />
        <div className="form-actions">
          <button type="submit" className="button-primary button-block" disabled={action.busy} data-button="auth.login">
            {action.busy ? t('login.submitting') : t('login.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
