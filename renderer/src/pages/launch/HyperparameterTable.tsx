import type { FieldErrors, HyperRow } from './launch-form';

interface Props {
  rows: HyperRow[];
  errors: FieldErrors;
  onChange(rows: HyperRow[]): void;
}

/** Key / value rows; numbers and true/false are sent as such, anything else as text. */
export function HyperparameterTable({ rows, errors, onChange }: Props) {
  const set = (i: number, patch: Partial<HyperRow>) => onChange(rows.map((row, j) => (j === i ? { ...row, ...patch } : row)));
  return (
    <div className="kv-table" data-testid="hyperparameters">
      {rows.map((row, i) => {
        const error = errors[`hp.${i}.key`];
        return (
          <div className="kv-row" key={i}>
            <input
              aria-label={`Hyperparameter ${i + 1} name`}
              placeholder="name (lr)"
              value={row.key}
              aria-invalid={error ? true : undefined}
              onChange={(e) => set(i, { key: e.target.value })}
            />
            <input aria-label={`Hyperparameter ${i + 1} value`} placeholder="value (0.01)" value={row.value} onChange={(e) => set(i, { value: e.target.value })} />
            <button type="button" className="btn btn-small" aria-label={`Remove hyperparameter ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
              ×
            </button>
            {error && <span className="field-error kv-error">{error}</span>}
          </div>
        );
      })}
      <button type="button" className="btn btn-small" onClick={() => onChange([...rows, { key: '', value: '' }])}>
        + Add hyperparameter
      </button>
    </div>
  );
}
