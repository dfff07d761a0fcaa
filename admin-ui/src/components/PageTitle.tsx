import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';
import { setPageTitle } from '../documentTitle';
import { useI18n } from '../i18n';

let firstPage = true;

/**
 * The page's `<h1>`; also sets the document title and, after a navigation (not on first
 * load), moves focus to the heading so screen readers announce the new page.
 */
export function PageTitle({ children, title, actions }: { children?: ReactNode; title: string; actions?: ReactNode }) {
  const { t } = useI18n();
  const ref = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    setPageTitle(`${title} · ${t('app.name')}`);
  }, [title, t]);

  useEffect(() => {
    if (firstPage) {
      firstPage = false;
      return;
    }
    ref.current?.focus();
  }, []);

  return (
    <div className="page-header">
      <div>
        <h1 ref={ref} tabIndex={-1}>
          {title}
        </h1>
        {children}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}
