import { Field } from '../../components/Field';
import { emptySpaceRow, type FieldErrors, type LaunchForm, type SpaceKind, type SpaceRow } from './launch-form';

type Sweep = LaunchForm['sweep'];

interface Props {
  sweep: Sweep;
  errors: FieldErrors;
  onChange(sweep: Sweep): void;
}

const KIND_LABEL: Record<SpaceKind, string> = { values: 'values', range: 'range', logUniform: 'log-uniform' };

/** The search space (one row per parameter), the strategy, trial limits and the objective. */
export function SweepEditor({ sweep, errors, onChange }: Props) {
  const setRow = (i: number, patch: Partial<SpaceRow>) => onChange({ ...sweep, space: sweep.space.map((row, j) => (j === i ? { ...row, ...patch } : row)) });
  return (
    <div className="sweep-editor" data-testid="sweep-editor">
      {errors['sweep.space'] && <span className="field-error">{errors['sweep.space']}</span>}
      {sweep.space.map((row, i) => {
        const at = `space.${i}`;
        const rowErrors = [errors[`${at}.name`], errors[`${at}.values`], errors[`${at}.min`] && `min ${errors[`${at}.min`]}`, errors[`${at}.max`] && `max ${errors[`${at}.max`]}`, errors[`${at}.step`] && `step ${errors[`${at}.step`]}`].filter(Boolean);
        return (
          <div className="space-row" key={i}>
            <input aria-label={`Parameter ${i + 1} name`} placeholder="name (lr)" value={row.name} onChange={(e) => setRow(i, { name: e.target.value })} />
            <select aria-label={`Parameter ${i + 1} kind`} value={row.kind} onChange={(e) => setRow(i, { kind: e.target.value as SpaceKind })}>
              {(Object.keys(KIND_LABEL) as SpaceKind[]).map((kind) => (
                <option key={kind} value={kind}>
                  {KIND_LABEL[kind]}
                </option>
              ))}
            </select>
            {row.kind === 'values' ? (
              <input className="space-values" aria-label={`Parameter ${i + 1} values`} placeholder="adam, sgd  or  16, 32, 64" value={row.values} onChange={(e) => setRow(i, { values: e.target.value })} />
            ) : (
              <span className="space-bounds">
                <input aria-label={`Parameter ${i + 1} min`} placeholder="min" inputMode="decimal" value={row.min} onChange={(e) => setRow(i, { min: e.target.value })} />
                <input aria-label={`Parameter ${i + 1} max`} placeholder="max" inputMode="decimal" value={row.max} onChange={(e) => setRow(i, { max: e.target.value })} />
                {row.kind === 'range' && (
                  <>
                    <input aria-label={`Parameter ${i + 1} step`} placeholder="step" inputMode="decimal" value={row.step} onChange={(e) => setRow(i, { step: e.target.value })} />
                    <label className="inline-check">
                      <input type="checkbox" checked={row.integer} onChange={(e) => setRow(i, { integer: e.target.checked })} /> integer
                    </label>
                  </>
                )}
              </span>
            )}
            <button type="button" className="btn btn-small" aria-label={`Remove parameter ${i + 1}`} onClick={() => onChange({ ...sweep, space: sweep.space.filter((_, j) => j !== i) })}>
              ×
            </button>
            {rowErrors.length > 0 && <span className="field-error kv-error">{rowErrors.join('; ')}</span>}
          </div>
        );
      })}
      <button type="button" className="btn btn-small" onClick={() => onChange({ ...sweep, space: [...sweep.space, emptySpaceRow()] })}>
        + Add parameter
      </button>
      <div className="field-grid">
        <Field label="Strategy">
          {({ id }) => (
            <select id={id} value={sweep.strategy} onChange={(e) => onChange({ ...sweep, strategy: e.target.value as Sweep['strategy'] })}>
              <option value="grid">grid (every combination)</option>
              <option value="random">random (sampled)</option>
            </select>
          )}
        </Field>
        <Field label="Max trials" error={errors['sweep.maxTrials']}>
          {({ id, describedBy, invalid }) => (
            <input id={id} inputMode="numeric" aria-describedby={describedBy} aria-invalid={invalid || undefined} value={sweep.maxTrials} onChange={(e) => onChange({ ...sweep, maxTrials: e.target.value })} />
          )}
        </Field>
        <Field label="Max parallel" error={errors['sweep.maxParallel']}>
          {({ id, describedBy, invalid }) => (
            <input id={id} inputMode="numeric" aria-describedby={describedBy} aria-invalid={invalid || undefined} value={sweep.maxParallel} onChange={(e) => onChange({ ...sweep, maxParallel: e.target.value })} />
          )}
        </Field>
        <Field label="Objective metric" error={errors['sweep.objective']}>
          {({ id, describedBy, invalid }) => (
            <span className="input-pair">
              <input id={id} placeholder="val_loss" aria-describedby={describedBy} aria-invalid={invalid || undefined} value={sweep.objectiveMetric} onChange={(e) => onChange({ ...sweep, objectiveMetric: e.target.value })} />
              <select aria-label="Objective direction" value={sweep.objectiveMode} onChange={(e) => onChange({ ...sweep, objectiveMode: e.target.value as 'min' | 'max' })}>
                <option value="min">min</option>
                <option value="max">max</option>
              </select>
            </span>
          )}
        </Field>
      </div>
    </div>
  );
}
