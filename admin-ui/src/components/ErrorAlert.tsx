import { describeError } from '../errors';
import type { ErrorOverrides } from '../errors';
import { useI18n } from '../i18n';

/** Shows an API error (or nothing) in a live `role="alert"` region. */
export function ErrorAlert({ error, overrides }: { error: unknown; overrides?: ErrorOverrides }) {
  const i18n = useI18n();
  if (!error) {
    return null;
  }
  const { message, reasons } = describeError(error, i18n, overrides);
  return (
    <div role="alert" className="alert alert-error">
      <p>{message}</p>
      {reasons.length > 0 && (
        <ul>
          {reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
