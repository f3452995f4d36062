import type { JobSpec } from '../../../../shared/contract/training-spec';
import { joinArgv } from './argv';
import { initialForm, type LaunchForm } from './launch-form';
import { DEFAULT_WORKSPACE_TARGET, defaultDatasetTarget } from './spec-extras';

/**
 * The launch dialog filled with a job's spec, for "Re-run": every field as the job had it (a
 * second workspace the dialog has no field for is kept as it was). A name gets no suffix: the run
 * page links the new run to its source.
 */
export function formFromSpec(spec: JobSpec): LaunchForm {
  const base = initialForm();
  const r = spec.resources;
  const workspaces = spec.mounts.filter((m) => m.kind === 'workspace');
  const workspace = workspaces[0];
  const workingDir = spec.workingDir ?? '';
  const wsTarget = workspace?.target ?? DEFAULT_WORKSPACE_TARGET;
  return {
    ...base,
    name: spec.name,
    experiment: spec.experiment,
    image: spec.image,
    command: joinArgv(spec.command),
    mode: 'single',
    hyperparameters: [...Object.entries(spec.hyperparameters).map(([key, value]) => ({ key, value: String(value) })), { key: '', value: '' }],
    passAsArgs: spec.passHyperparametersAsArgs,
    gpuMode: Array.isArray(r.gpus) ? 'pick' : r.gpus > 0 ? 'count' : 'none',
    gpuCount: Array.isArray(r.gpus) ? String(r.gpus.length) : r.gpus > 0 ? String(r.gpus) : '1',
    gpuPicked: Array.isArray(r.gpus) ? [...r.gpus] : [],
    cpus: r.cpus === undefined ? '' : String(r.cpus),
    memoryGb: r.memoryGb === undefined ? '' : String(r.memoryGb),
    earlyStopping: spec.earlyStopping
      ? { enabled: true, metric: spec.earlyStopping.metric, mode: spec.earlyStopping.mode, patience: String(spec.earlyStopping.patience), minDelta: String(spec.earlyStopping.minDelta) }
      : base.earlyStopping,
    timeoutMinutes: spec.maxRuntimeSeconds === undefined ? '' : String(Number((spec.maxRuntimeSeconds / 60).toFixed(2))),
    allowRoot: spec.allowRoot,
    workspace: {
      source: workspace?.source ?? '',
      target: wsTarget,
      writable: workspace?.writable ?? false,
      // Left empty when it is the default the dialog would pick anyway.
      workingDir: workspace && workingDir === wsTarget ? '' : workingDir,
    },
    datasets: spec.mounts
      .filter((m) => m.kind === 'dataset')
      .map((m) => ({ source: m.source, target: m.target === defaultDatasetTarget(m.source) ? '' : m.target })),
    env: Object.entries(spec.env).map(([key, value]) => ({ key, value })),
    checkpoint: spec.checkpoint ? { enabled: true, dir: spec.checkpoint.dir, keepLast: String(spec.checkpoint.keepLast) } : base.checkpoint,
    retries: String(spec.retries),
    priority: String(spec.priority),
    keptMounts: workspaces.slice(1),
    keptRunner: spec.runner ?? null,
  };
}
