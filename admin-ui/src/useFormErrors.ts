import { useEffect, useRef } from 'react';
import type { RefObject } from 'react';
import { ApiError } from './api';
import { describeError } from './errors';
import type { ErrorOverrides } from './errors';
import { formErrors } from './fieldErrors';
import type { FieldLabels, FormErrors, PlacedErrors } from './fieldErrors';
import { useI18n } from './i18n';

interface Options {
  /** Error ids naming no field that belong beside one of this form's fields. */
  placed?: PlacedErrors;
  overrides?: ErrorOverrides;
}

/**
 * A form's view of its last error: words beside each refused field (`field(path)`), the rest for
 * its alert, and focus on the first invalid field once the error is shown. Put `formRef` on the
 * `<form>` and `form` on its ErrorAlert; `labels` lists the fields the form shows.
 */
export function useFormErrors(error: unknown, labels: FieldLabels, options: Options = {}): FormErrors & { formRef: RefObject<HTMLFormElement | null> } {
  const i18n = useI18n();
  const formRef = useRef<HTMLFormElement>(null);
  const { placed, overrides } = options;
  let placedText = '';
  if (error instanceof ApiError && placed?.[error.id] !== undefined) {
    const described = describeError(error, i18n, overrides);
    placedText = [described.message, ...described.reasons].join(' ');
  }
  const errors = formErrors(error, labels, i18n, placed, placedText);

  useEffect(() => {
    // Runs after the error is rendered, so the fields already carry aria-invalid.
    if (error) {
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    }
  }, [error]);

  return { ...errors, formRef };
}
