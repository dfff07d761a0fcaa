import type { ReactNode } from 'react';

interface FormFieldProps {
  /** The control's id; the hint and the error take `<id>-hint` and `<id>-error`. */
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  /** The server's or a live check's message for this field, shown beside it. */
  error?: string | null;
  className?: string;
  /** Shown under the field (a helper button). */
  after?: ReactNode;
  /** Renders the control with the ids that describe it and whether it is invalid. */
  children: (describedBy: string | undefined, invalid: true | undefined) => ReactNode;
}

/**
 * One form field: label, control, hint and error, wired for screen readers
 * (`aria-describedby` names the hint and the error, `aria-invalid` is set while there is an error).
 */
export function FormField({ id, label, hint, error, className, after, children }: FormFieldProps) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children(describedBy, error ? true : undefined)}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
      {after}
    </div>
  );
}
