import type { ResourceUsageView } from '../../../../shared/contract/index';
import { Badge } from '../../components/Badge';
import { formatMib } from '../../lib/format';
import type { LaunchForm } from './launch-form';

interface GpuPickerProps {
  usage: ResourceUsageView | null;
  form: LaunchForm;
  error: string | undefined;
  onChange(patch: Partial<LaunchForm>): void;
}

/** No GPU, any N free ones, or these: each GPU with who holds it. */
export function GpuPicker({ usage, form, error, onChange }: GpuPickerProps) {
  const gpus = usage?.gpus ?? [];
  if (usage && gpus.length === 0) {
    return (
      <p className="muted" data-testid="gpu-picker">
        No NVIDIA GPU on this machine: the job runs on the CPU.
      </p>
    );
  }
  const toggle = (index: number, on: boolean) =>
    onChange({ gpuMode: 'pick', gpuPicked: on ? [...form.gpuPicked.filter((i) => i !== index), index] : form.gpuPicked.filter((i) => i !== index) });
  return (
    <fieldset className="gpu-picker" data-testid="gpu-picker" aria-invalid={error ? true : undefined}>
      <legend>GPUs</legend>
      <div className="segmented">
        <label>
          <input type="radio" name="gpu-mode" checked={form.gpuMode === 'none'} onChange={() => onChange({ gpuMode: 'none' })} /> No GPU
        </label>
        <label>
          <input type="radio" name="gpu-mode" checked={form.gpuMode === 'count'} onChange={() => onChange({ gpuMode: 'count' })} /> Any
          <input
            className="gpu-count"
            type="number"
            min={1}
            max={gpus.length}
            aria-label="How many GPUs"
            value={form.gpuCount}
            onFocus={() => onChange({ gpuMode: 'count' })}
            onChange={(e) => onChange({ gpuMode: 'count', gpuCount: e.target.value })}
          />{' '}
          free
        </label>
        <label>
          <input type="radio" name="gpu-mode" checked={form.gpuMode === 'pick'} onChange={() => onChange({ gpuMode: 'pick' })} /> These:
        </label>
      </div>
      <ul className="gpu-list">
        {gpus.map((gpu) => (
          <li key={gpu.index} className="gpu-row" data-testid="gpu-option">
            <label>
              <input type="checkbox" checked={form.gpuMode === 'pick' && form.gpuPicked.includes(gpu.index)} onChange={(e) => toggle(gpu.index, e.target.checked)} />
              <span className="mono">GPU {gpu.index}</span>
              <span>{gpu.name}</span>
              <span className="muted">{formatMib(gpu.memoryTotalMb)}</span>
              {gpu.jobId ? (
                <Badge tone="warn">busy: {gpu.jobName ?? gpu.jobId.slice(0, 8)}</Badge>
              ) : (
                <Badge tone="ok">free</Badge>
              )}
            </label>
          </li>
        ))}
      </ul>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </fieldset>
  );
}
