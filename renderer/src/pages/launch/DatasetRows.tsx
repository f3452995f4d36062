import type { FieldErrors } from './launch-form';
import { defaultDatasetTarget, type DatasetRow } from './spec-extras';

interface Props {
  rows: DatasetRow[];
  errors: FieldErrors;
  /** `key`: the field that changed ('ds.<i>.source', 'ds.<i>.target'), or 'datasets' when rows were added or removed. */
  onChange(rows: DatasetRow[], key: string): void;
  /** A row's host path lost focus: check it on the host. */
  onSourceBlur(index: number): void;
}

/** Host folders or files mounted read-only, hashed and recorded as the run's dataset inputs. */
export function DatasetRows({ rows, errors, onChange, onSourceBlur }: Props) {
  const set = (i: number, patch: Partial<DatasetRow>, key: string) => onChange(rows.map((row, j) => (j === i ? { ...row, ...patch } : row)), key);
  return (
    <div className="kv-table" data-testid="datasets">
      {rows.map((row, i) => {
        const rowErrors = [errors[`ds.${i}.source`], errors[`ds.${i}.target`] && `mounted at: ${errors[`ds.${i}.target`]}`].filter(Boolean);
        return (
          <div className="mount-row" key={i} data-testid="dataset-row">
            <input
              className="mono"
              aria-label={`Dataset ${i + 1} host path`}
              placeholder="/data/mnist (host folder or file)"
              spellCheck={false}
              value={row.source}
              aria-invalid={errors[`ds.${i}.source`] ? true : undefined}
              onChange={(e) => set(i, { source: e.target.value }, `ds.${i}.source`)}
              onBlur={() => onSourceBlur(i)}
            />
            <span className="muted" aria-hidden>
              →
            </span>
            <input
              className="mono"
              aria-label={`Dataset ${i + 1} mounted at`}
              placeholder={defaultDatasetTarget(row.source)}
              spellCheck={false}
              value={row.target}
              aria-invalid={errors[`ds.${i}.target`] ? true : undefined}
              onChange={(e) => set(i, { target: e.target.value }, `ds.${i}.target`)}
            />
            <button type="button" className="btn btn-small" aria-label={`Remove dataset ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i), 'datasets')}>
              ×
            </button>
            {rowErrors.length > 0 && (
              <span className="field-error kv-error" role="alert" data-testid={`dataset-${i + 1}-error`}>
                {rowErrors.join('; ')}
              </span>
            )}
          </div>
        );
      })}
      <button type="button" className="btn btn-small" onClick={() => onChange([...rows, { source: '', target: '' }], 'datasets')}>
        + Add dataset
      </button>
    </div>
  );
}
