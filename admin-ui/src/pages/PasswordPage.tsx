import { useState } from 'react';
import type { FormEvent } from 'react';
import { useSession } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormField } from '../components/FormField';
import { PageTitle } from '../components/PageTitle';
import { authApi } from '../endpoints';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { useFormErrors } from '../useFormErrors';

const PASSWORD_ERRORS = { invalid_credentials: 'password.currentWrong' } as const;
// Answers that name no field but are about one: said beside it.
const PLACED = { invalid_credentials: 'currentPassword', weak_password: 'newPassword' };

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
  const errors = useFormErrors(
    action.error,
    { currentPassword: t('password.current'), newPassword: t('password.new') },
    { placed: PLACED, overrides: PASSWORD_ERRORS },
  );

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (next !== confirm) {
      setMismatch(true);
      action.setError(null);
      document.getElementById('confirm-password')?.focus();
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
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
        <FormField id="current-password" label={t('password.current')} error={errors.field('currentPassword')}>
          {(describedBy, invalid) => (
            <input
              id="current-password"
              name="currentPassword"
              type="password"
              autoComplete="current-password"
              required
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={current}
              onChange={(event) => setCurrent(event.target.value)}
            />
          )}
        </FormField>
        <FormField id="new-password" label={t('password.new')} hint={t('password.hint')} error={errors.field('newPassword')}>
          {(describedBy, invalid) => (
            <input
              id="new-password"
              name="newPassword"
              type="password"
              autoComplete="new-password"
              required
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={next}
              onChange={(event) => setNext(event.target.value)}
            />
          )}
        </FormField>
        <FormField id="confirm-password" label={t('password.confirm')} error={mismatch ? t('password.mismatch') : null}>
          {(describedBy, invalid) => (
            <input
              id="confirm-password"
              name="confirmPassword"
              type="password"
              autoComplete="new-password"
              required
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={confirm}
              onChange={(event) => setConfirm(event.target.value)}
            />
          )}
        </FormField>
        <ErrorAlert error={action.error} overrides={PASSWORD_ERRORS} form={errors} />
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
