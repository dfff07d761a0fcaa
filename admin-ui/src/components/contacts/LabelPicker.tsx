import { useId, useState } from 'react';
import type { Label } from '../../contactsApi';
import { useI18n } from '../../i18n';

// Matches shown at once under the search box: enough to pick from, short enough on a phone.
const SHOWN = 12;

/** A label as a coloured chip. */
export function LabelChip({ label, onRemove }: { label: Pick<Label, 'name' | 'color'>; onRemove?: () => void }) {
  const { t } = useI18n();
  return (
    <span className="label-chip" style={{ borderColor: label.color }} data-label={label.name}>
      <span className="label-dot" style={{ background: label.color }} aria-hidden="true" />
      {label.name}
      {onRemove && (
        <button type="button" className="label-remove" onClick={onRemove} aria-label={t('contacts.removeLabel', { name: label.name })} data-ui="contacts.removeLabel">
          ×
        </button>
      )}
    </span>
  );
}

/**
 * Picks any number of labels (a contact may carry dozens): the chosen ones as chips, and a search
 * box listing the others that match, so 20+ labels stay usable on a phone.
 */
export function LabelPicker({ labels, value, onChange, disabled }: { labels: Label[]; value: string[]; onChange: (ids: string[]) => void; disabled?: boolean }) {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const inputId = useId();
  const chosen = value.flatMap((id) => labels.filter((l) => l.id === id));
  const needle = query.trim().toLowerCase();
  const matches = labels.filter((l) => !value.includes(l.id) && l.name.toLowerCase().includes(needle));
  return (
    <div className="label-picker" id="contact-labels">
      <div className="label-chips" aria-live="polite">
        {chosen.length === 0 ? <span className="hint">{t('contacts.noLabels')}</span> : null}
        {chosen.map((l) => (
          <LabelChip key={l.id} label={l} onRemove={disabled ? undefined : () => onChange(value.filter((id) => id !== l.id))} />
        ))}
      </div>
      {!disabled && (
        <>
          <label htmlFor={inputId}>{t('contacts.findLabel')}</label>
          <input id={inputId} type="search" value={query} onChange={(event) => setQuery(event.target.value)} autoComplete="off" data-ui="contacts.labelSearch" />
          <ul className="label-options">
            {matches.slice(0, SHOWN).map((l) => (
              <li key={l.id}>
                <button type="button" className="button-link" onClick={() => onChange([...value, l.id])} data-ui="contacts.addLabel" data-label={l.name}>
                  <span className="label-dot" style={{ background: l.color }} aria-hidden="true" /> {t('contacts.addLabel', { name: l.name })}
                </button>
              </li>
            ))}
            {matches.length > SHOWN && <li className="hint">{t('contacts.moreLabels', { count: matches.length - SHOWN })}</li>}
          </ul>
        </>
      )}
    </div>
  );
}
