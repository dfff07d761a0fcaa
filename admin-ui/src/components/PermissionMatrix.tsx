import { Fragment, useMemo } from 'react';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n';
import { grantOf, groupBySubject, roleAbility, roleTexts, subjectName } from '../permissions';
import type { Grant } from '../permissions';
import type { CatalogueAction, Role, SubjectLabels } from '../types';

const GRANT_LABEL: Record<Grant, MessageKey> = {
  granted: 'matrix.granted',
  conditional: 'matrix.conditional',
  denied: 'matrix.denied',
};

const GRANT_MARK: Record<Grant, string> = { granted: '✓', conditional: '◐', denied: '–' };

/**
 * Every catalogue action with its label, the buttons it governs, and whether the given
 * role grants it (computed by CASL from the role's own rules).
 */
export function PermissionMatrix({ catalogue, subjects, role }: { catalogue: CatalogueAction[]; subjects: SubjectLabels; role: Role | null }) {
  const { t, lang } = useI18n();
  const roleName = role ? roleTexts(role, lang).name : '';

  const grants = useMemo(() => {
    if (!role) {
      return null;
    }
    try {
      const ability = roleAbility(role.rules);
      return new Map(catalogue.map((entry) => [entry.key, grantOf(ability, entry.action, entry.subject)]));
    } catch {
      // A rule CASL cannot compile: say so rather than guess.
      return 'invalid' as const;
    }
  }, [catalogue, role]);

  return (
    <>
      {grants === 'invalid' && (
        <p role="alert" className="alert alert-error">
          {t('matrix.invalidRules')}
        </p>
      )}
      <div className="table-wrap">
        <table className="table matrix" id="permission-matrix">
          <caption className="visually-hidden">
            {role ? t('matrix.captionRole', { name: roleName }) : t('matrix.caption')}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('matrix.permission')}</th>
              <th scope="col">{t('matrix.key')}</th>
              <th scope="col">{t('matrix.buttons')}</th>
              {role && <th scope="col">{roleName}</th>}
            </tr>
          </thead>
          <tbody>
            {groupBySubject(catalogue).map(([subject, entries]) => (
              <Fragment key={subject}>
                <tr className="group-row">
                  <th scope="rowgroup" colSpan={role ? 4 : 3}>
                    {subjectName(subjects, subject, lang)}
                  </th>
                </tr>
                {entries.map((entry) => {
                  const grant = grants instanceof Map ? grants.get(entry.key) : undefined;
                  return (
                    <tr key={entry.key} data-permission={entry.key}>
                      <th scope="row" className="matrix-label">
                        {entry.labels[lang] || entry.labels.en || entry.key}
                      </th>
                      <td>
                        <code>{entry.key}</code>
                      </td>
                      <td>
                        {entry.buttons.length === 0 ? (
                          '—'
                        ) : (
                          <ul className="code-list">
                            {entry.buttons.map((button) => (
                              <li key={button}>
                                <code>{button}</code>
                              </li>
                            ))}
                          </ul>
                        )}
                      </td>
                      {role && (
                        <td data-grant={grant ?? 'unknown'} className={grant ? `grant grant-${grant}` : 'grant'}>
                          {grant && (
                            <>
                              <span aria-hidden="true" className="grant-mark">
                                {GRANT_MARK[grant]}
                              </span>{' '}
                              {t(GRANT_LABEL[grant])}
                            </>
                          )}
                        </td>
                      )}
                    </tr>
                  );
                })}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
