import { toggle } from '../hooks';

interface Option {
  id: string;
  label: string;
}

interface CheckboxGroupProps {
  legend: string;
  /** The `name` of every checkbox (tests select `input[name=<name>][value=<id>]`). */
  name: string;
  options: Option[];
  value: string[];
  onChange: (value: string[]) => void;
  emptyText: string;
}

/** A fieldset of labelled checkboxes for choosing several ids. */
export function CheckboxGroup({ legend, name, options, value, onChange, emptyText }: CheckboxGroupProps) {
  return (
    <fieldset className="checkbox-group">
      <legend>{legend}</legend>
      {options.length === 0 && <p className="hint">{emptyText}</p>}
      {options.map((option) => {
        const inputId = `${name}-${option.id}`;
        return (
          <div className="checkbox" key={option.id}>
            <input
              type="checkbox"
              id={inputId}
              name={name}
              value={option.id}
              checked={value.includes(option.id)}
              onChange={(event) => onChange(toggle(value, option.id, event.target.checked))}
            />
            <label htmlFor={inputId}>{option.label}</label>
          </div>
        );
      })}
    </fieldset>
  );
}
