import { describeError } from '../errors';
import type { ErrorOverrides } from '../errors';
import type { FormErrors } from '../fieldErrors';
import { useI18n } from '../i18n';

interface ErrorAlertProps {
  error: unknown;
  overrides?: ErrorOverrides;
  /** The form's own split of the error: fields it shows beside them are left out here. */
  form?: FormErrors;
}

/** Shows an API error (or nothing) in a live `role="alert"` region. */
export function ErrorAlert({ error, overrides, form }: ErrorAlertProps) {
  const i18n = useI18n();
  if (!error) {
    return null;
  }
  const described = describeError(error, i18n, overrides, !form);
  // Everything is said beside the fields: the alert only points there.
  const onlyBeside = form !== undefined && form.beside && form.others.length === 0;
  const message = onlyBeside ? i18n.t('fieldErrors.checkFields') : described.message;
  const reasons = onlyBeside ? [] : [...described.reasons, ...(form?.others ?? [])];
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
