import { useCurrentUser } from '../auth';
import { PageTitle } from '../components/PageTitle';
import { useI18n } from '../i18n';
import { hrefFor } from '../router';

/** Shown when the user may read none of the admin pages. */
export function HomePage() {
  const { t } = useI18n();
  const user = useCurrentUser();
  return (
    <section className="card card-medium">
      <PageTitle title={t('home.title', { name: user.name || user.email })} />
      <p>{t('home.nothing')}</p>
      <p>
        <a href={hrefFor('password')}>{t('header.changePassword')}</a>
      </p>
    </section>
  );
}

/** Shown when a page's `read` permission is missing (for example after a role change). */
export function NotAllowedPage() {
  const { t } = useI18n();
  return (
    <section className="card card-medium">
      <PageTitle title={t('notAllowed.title')} />
      <p>{t('notAllowed.text')}</p>
      <p>
        <a href={hrefFor('home')}>{t('notAllowed.home')}</a>
      </p>
    </section>
  );
}
