import { useEffect, useRef, useState } from 'react';
import { auditApi } from '../../endpoints';
import { useI18n } from '../../i18n';

export interface ActorChoice {
  /** What was typed: part of a name or email (filters on it as text when nothing is picked). */
  text: string;
  /** The user picked from the suggestions, if any. */
  picked: { id: string; name: string } | null;
}

type Suggestion = { id: string; name: string; email: string };

/** The actor filter: type part of a name or email, pick one of the users suggested. */
export function ActorFilter({ value, onChange }: { value: ActorChoice; onChange: (next: ActorChoice) => void }) {
  const { t } = useI18n();
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const latest = useRef(0);
  const text = value.picked ? '' : value.text.trim();

  useEffect(() => {
    const mine = ++latest.current;
    if (!text) {
      setSuggestions([]);
      return;
    }
    // Only the answer to the latest text counts: an earlier, slower one must not replace it.
    auditApi.actors(text).then(
      (page) => mine === latest.current && setSuggestions(page.items),
      () => mine === latest.current && setSuggestions([]),
    );
  }, [text]);

  if (value.picked) {
    return (
      <div className="field actor-filter">
        <span className="label">{t('audit.filter.actor')}</span>
        <p className="actor-chosen" id="audit-actor-chosen">
          {t('audit.filter.actorChosen', { name: value.picked.name })}{' '}
          <button type="button" className="button-link" data-ui="audit.clearActor" onClick={() => onChange({ text: '', picked: null })}>
            {t('audit.filter.clearActor')}
          </button>
        </p>
      </div>
    );
  }
  return (
    <div className="field actor-filter">
      <label htmlFor="audit-actor">{t('audit.filter.actor')}</label>
      <input
        id="audit-actor"
        name="actor"
        autoComplete="off"
        aria-describedby="audit-actor-hint"
        aria-controls="audit-actor-suggestions"
        value={value.text}
        onChange={(event) => onChange({ text: event.target.value, picked: null })}
      />
      <small id="audit-actor-hint" className="hint">{t('audit.filter.actorHint')}</small>
      {suggestions.length > 0 && (
        <ul className="suggestions" id="audit-actor-suggestions" aria-label={t('audit.filter.suggestions')}>
          {suggestions.map((user) => (
            <li key={user.id}>
              <button type="button" className="button-link" data-ui="audit.actorSuggestion" onClick={() => onChange({ text: user.name, picked: { id: user.id, name: user.name } })}>
                {user.name} <span className="muted">{user.email}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
