import type { FieldErrors } from './launch-form';
import type { EnvRow } from './spec-extras';

interface Props {
  rows: EnvRow[];
  errors: FieldErrors;
  onChange(rows: EnvRow[]): void;
}

/** NAME=value rows the job's process sees; names are checked as the shell would take them. */
export function EnvRows({ rows, errors, onChange }: Props) {
  const set = (i: number, patch: Partial<EnvRow>) => onChange(rows.map((row, j) => (j === i ? { ...row, ...patch } : row)));
  return (
    <div className="kv-table" data-testid="env-rows">
      {rows.map((row, i) => {
        const error = errors[`env.${i}.key`];
        return (
          <div className="kv-row" key={i} data-testid="env-row">
            <input
              className="mono"
              aria-label={`Variable ${i + 1} name`}
              placeholder="NAME"
              spellCheck={false}
              value={row.key}
              aria-invalid={error ? true : undefined}
              onChange={(e) => set(i, { key: e.target.value })}
            />
            <input className="mono" aria-label={`Variable ${i + 1} value`} placeholder="value" spellCheck={false} value={row.value} onChange={(e) => set(i, { value: e.target.value })} />
            <button type="button" className="btn btn-small" aria-label={`Remove variable ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
              ×
            </button>
            {error && (
              <span className="field-error kv-error" role="alert" data-testid={`env-${i + 1}-error`}>
                {error}
              </span>
            )}
          </div>
        );
      })}
      {errors.env && <span className="field-error">{errors.env}</span>}
      <button type="button" className="btn btn-small" onClick={() => onChange([...rows, { key: '', value: '' }])}>
        + Add variable
      </button>
    </div>
  );
}
