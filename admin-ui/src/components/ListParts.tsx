import type { ReactNode } from 'react';
import { useI18n } from '../i18n';

/** The row a table shows when it has nothing to list. */
export function EmptyRow({ colSpan, children }: { colSpan: number; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={colSpan} className="empty">
        {children}
      </td>
    </tr>
  );
}

/** "Loading…" under a list while it loads, announced to screen readers. */
export function ListStatus({ busy }: { busy: boolean }) {
  const { t } = useI18n();
  return (
    <p role="status" className="list-status">
      {busy ? t('common.loading') : ''}
    </p>
  );
}
