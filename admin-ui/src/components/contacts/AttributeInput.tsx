import type { AttributeDefinition } from '../../contactsApi';
import { useI18n } from '../../i18n';
import { FormField } from '../FormField';

/** One custom attribute's control, by its type; an empty control means "no value" (null). */
export function AttributeInput({ definition: d, value, onChange, disabled, error }: {
  definition: AttributeDefinition; value: unknown; onChange: (v: unknown) => void; disabled: boolean; error: string | null;
}) {
  const { t } = useI18n();
  const id = `attribute-${d.key}`;
  return (
    <FormField id={id} label={d.name} error={error}>
      {(describedBy, invalid) => {
        const common = { id, name: d.key, disabled, 'aria-describedby': describedBy, 'aria-invalid': invalid, 'data-attribute': d.key };
        switch (d.type) {
          case 'boolean':
            return (
              <select {...common} value={value === true ? 'true' : value === false ? 'false' : ''} onChange={(e) => onChange(e.target.value === '' ? null : e.target.value === 'true')}>
                <option value="">—</option>
                <option value="true">{t('contacts.yes')}</option>
                <option value="false">{t('contacts.no')}</option>
              </select>
            );
          case 'choice':
            return (
              <select {...common} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value || null)}>
                <option value="">—</option>
                {d.options.map((o) => (
                  <option key={o} value={o}>{o}</option>
                ))}
              </select>
            );
          case 'number':
            // Sent as typed when it is not a number, so the server names the field's problem.
            return (
              <input {...common} inputMode="decimal" value={value === undefined || value === null ? '' : String(value)}
                onChange={(e) => onChange(e.target.value.trim() === '' ? null : Number.isFinite(Number(e.target.value)) ? Number(e.target.value) : e.target.value)} />
            );
          case 'date':
            return <input {...common} type="date" value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value || null)} />;
          default:
            return <input {...common} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)} />;
        }
      }}
    </FormField>
  );
}
