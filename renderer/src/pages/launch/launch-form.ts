import type { JobSpecInput, SweepSpec } from '../../../../shared/contract/training-spec';
import { parseHyperValue } from '../../../../shared/hyper-value';
import { splitArgv } from './argv';
import { checkNumber } from './number-check';
import { buildSpecExtras, initialExtras, type ExtrasForm } from './spec-extras';

export { checkNumber } from './number-check';

/** Everything the launch dialog edits, as the text the user typed (numbers are parsed on submit). */
export interface HyperRow {
  key: string;
  value: string;
}

export type SpaceKind = 'values' | 'range' | 'logUniform';

export interface SpaceRow {
  name: string;
  kind: SpaceKind;
  /** Comma-separated, for 'values'. */
  values: string;
  min: string;
  max: string;
  /** Optional, for 'range'. */
  step: string;
  integer: boolean;
}

export type GpuMode = 'none' | 'count' | 'pick';

export interface LaunchForm extends ExtrasForm {
  name: string;
  experiment: string;
  image: string;
  command: string;
  mode: 'single' | 'sweep';
  hyperparameters: HyperRow[];
  passAsArgs: boolean;
  sweep: {
    space: SpaceRow[];
    strategy: 'grid' | 'random';
    maxTrials: string;
    maxParallel: string;
    objectiveMetric: string;
    objectiveMode: 'min' | 'max';
  };
  gpuMode: GpuMode;
  gpuCount: string;
  gpuPicked: number[];
  cpus: string;
  memoryGb: string;
  earlyStopping: { enabled: boolean; metric: string; mode: 'min' | 'max'; patience: string; minDelta: string };
  timeoutMinutes: string;
  /** Let the job run as root; otherwise it runs as its workspace's owner or an unprivileged user. */
  allowRoot: boolean;
}

/** What the machine offers, bounding the inputs. */
export interface MachineLimits {
  cpus: number;
  memoryGb: number;
  gpuIndices: number[];
}

/** Field keys errors are shown against; 'form' is the top of the dialog. */
export type FieldErrors = Record<string, string>;

export function emptySpaceRow(): SpaceRow {
  return { name: '', kind: 'values', values: '', min: '', max: '', step: '', integer: false };
}

export function initialForm(): LaunchForm {
  return {
    name: '',
    experiment: 'Default',
    image: '',
    command: '',
    mode: 'single',
    hyperparameters: [{ key: '', value: '' }],
    passAsArgs: false,
    sweep: { space: [emptySpaceRow()], strategy: 'grid', maxTrials: '20', maxParallel: '1', objectiveMetric: '', objectiveMode: 'min' },
    gpuMode: 'none',
    gpuCount: '1',
    gpuPicked: [],
    cpus: '',
    memoryGb: '',
    earlyStopping: { enabled: false, metric: '', mode: 'min', patience: '3', minDelta: '0' },
    timeoutMinutes: '',
    allowRoot: false,
    ...initialExtras(),
  };
}

/** A job name from the command when none is typed: the script's name, else the program's. */
export function suggestName(command: string): string {
  const split = splitArgv(command);
  if (!split.ok || split.argv.length === 0) return '';
  const script = split.argv.find((a) => /\.(py|sh|jl|R|lua)$/.test(a)) ?? split.argv[0]!;
  const base = script.split('/').pop() ?? script;
  return base.replace(/\.[^.]+$/, '').slice(0, 250);
}

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}

export type Submission = { kind: 'job'; spec: JobSpecInput } | { kind: 'sweep'; spec: JobSpecInput; sweep: SweepSpec };

/**
 * Checks every field and builds what the API takes. Errors are keyed by field; a submission
 * comes back only when there are none.
 */
export function buildSubmission(form: LaunchForm, limits: MachineLimits): { errors: FieldErrors; submission: Submission | null } {
  const errors: FieldErrors = {};
  const take = (key: string, result: { value?: number; error?: string }): number | undefined => {
    if (result.error) errors[key] = result.error;
    return result.value;
  };

  const split = splitArgv(form.command);
  if (!split.ok) errors.command = split.error;
  else if (split.argv.length === 0) errors.command = 'required: the program to run and its arguments';
  const argv = split.ok ? split.argv : [];

  const name = form.name.trim() || suggestName(form.command);
  if (!name) errors.name = 'required';
  else if (name.length > 250) errors.name = 'must be at most 250 characters';
  if (!form.image.trim()) errors.image = 'required: pick an image';
  const experiment = form.experiment.trim() || 'Default';

  // In a sweep these are the fixed ones: every trial gets them merged with its own point.
  const hyperparameters: Record<string, string | number | boolean> = {};
  const swept = new Set(form.mode === 'sweep' ? form.sweep.space.map((row) => row.name.trim()).filter(Boolean) : []);
  form.hyperparameters.forEach((row, i) => {
    const key = row.key.trim();
    if (!key && !row.value.trim()) return; // an empty row is ignored
    if (!key) errors[`hp.${i}.key`] = 'name required';
    else if (Object.hasOwn(hyperparameters, key)) errors[`hp.${i}.key`] = `'${key}' is set twice`;
    else if (swept.has(key)) errors[`hp.${i}.key`] = `'${key}' is also swept: remove it here or from the sweep`;
    else hyperparameters[key] = parseHyperValue(row.value);
  });

  const resources: NonNullable<JobSpecInput['resources']> = { gpus: 0 };
  const cpus = take('cpus', checkNumber(form.cpus, { above: 0, max: limits.cpus, maxLabel: `${limits.cpus} (this machine's CPU threads)` }));
  if (cpus !== undefined) resources.cpus = cpus;
  const memoryGb = take(
    'memoryGb',
    checkNumber(form.memoryGb, { above: 0, max: round(limits.memoryGb), maxLabel: `${round(limits.memoryGb)} GB (this machine's memory)` }),
  );
  if (memoryGb !== undefined) resources.memoryGb = memoryGb;
  if (form.gpuMode === 'count') {
    const has = limits.gpuIndices.length;
    const count = take(
      'gpus',
      checkNumber(form.gpuCount, { required: true, integer: true, min: 1, max: has, maxLabel: has === 0 ? '0: this machine has no NVIDIA GPU' : `${has} (this machine's GPUs)` }),
    );
    if (count !== undefined) resources.gpus = count;
  } else if (form.gpuMode === 'pick') {
    const picked = [...new Set(form.gpuPicked)].sort((a, b) => a - b);
    if (picked.length === 0) errors.gpus = 'pick at least one GPU, or choose "No GPU"';
    else if (picked.some((i) => !limits.gpuIndices.includes(i))) errors.gpus = 'a picked GPU is not on this machine';
    else resources.gpus = picked;
  }

  const minutes = take('timeoutMinutes', checkNumber(form.timeoutMinutes, { above: 0, max: 30 * 24 * 60, maxLabel: '43200 (30 days)' }));

  let earlyStopping: JobSpecInput['earlyStopping'];
  if (form.earlyStopping.enabled) {
    const es = form.earlyStopping;
    if (!es.metric.trim()) errors['earlyStopping.metric'] = 'required: the metric to watch';
    const patience = take('earlyStopping.patience', checkNumber(es.patience, { required: true, integer: true, min: 1 }));
    const minDelta = take('earlyStopping.minDelta', checkNumber(es.minDelta, { min: 0 }));
    if (es.metric.trim() && patience !== undefined) earlyStopping = { metric: es.metric.trim(), mode: es.mode, patience, minDelta: minDelta ?? 0 };
  }

  let sweep: SweepSpec | null = null;
  if (form.mode === 'sweep') sweep = buildSweep(form.sweep, errors, take);
  const extras = buildSpecExtras(form, errors);

  if (Object.keys(errors).length > 0) return { errors, submission: null };
  const spec: JobSpecInput = {
    name,
    experiment,
    image: form.image.trim(),
    command: argv,
    hyperparameters,
    passHyperparametersAsArgs: form.passAsArgs,
    resources,
    ...extras,
    ...(minutes !== undefined ? { maxRuntimeSeconds: Math.max(1, Math.round(minutes * 60)) } : {}),
    ...(earlyStopping ? { earlyStopping } : {}),
    ...(form.allowRoot ? { allowRoot: true } : {}),
  };
  return { errors, submission: sweep ? { kind: 'sweep', spec, sweep } : { kind: 'job', spec } };
}

function buildSweep(
  form: LaunchForm['sweep'],
  errors: FieldErrors,
  take: (key: string, result: { value?: number; error?: string }) => number | undefined,
): SweepSpec | null {
  const space: SweepSpec['space'] = {};
  form.space.forEach((row, i) => {
    const name = row.name.trim();
    const at = `space.${i}`;
    if (!name) {
      errors[`${at}.name`] = 'name required';
      return;
    }
    if (Object.hasOwn(space, name)) {
      errors[`${at}.name`] = `'${name}' is listed twice`;
      return;
    }
    if (row.kind === 'values') {
      const values = row.values
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '')
        .map(parseHyperValue);
      if (values.length === 0) errors[`${at}.values`] = 'list at least one value, comma-separated';
      else space[name] = { values };
    } else if (row.kind === 'range') {
      const min = take(`${at}.min`, checkNumber(row.min, { required: true, ...(row.integer ? { integer: true } : {}) }));
      const max = take(`${at}.max`, checkNumber(row.max, { required: true, ...(row.integer ? { integer: true } : {}) }));
      const step = take(`${at}.step`, checkNumber(row.step, { above: 0 }));
      if (min !== undefined && max !== undefined && max < min) errors[`${at}.max`] = 'must not be below min';
      else if (min !== undefined && max !== undefined) space[name] = { min, max, integer: row.integer, ...(step !== undefined ? { step } : {}) };
    } else {
      const min = take(`${at}.min`, checkNumber(row.min, { required: true, above: 0 }));
      const max = take(`${at}.max`, checkNumber(row.max, { required: true, above: 0 }));
      if (min !== undefined && max !== undefined && max < min) errors[`${at}.max`] = 'must not be below min';
      else if (min !== undefined && max !== undefined) space[name] = { logUniform: { min, max } };
    }
  });
  if (form.space.length === 0) errors['sweep.space'] = 'add at least one parameter';
  const maxTrials = take('sweep.maxTrials', checkNumber(form.maxTrials, { required: true, integer: true, min: 1, max: 10_000 }));
  const maxParallel = take('sweep.maxParallel', checkNumber(form.maxParallel, { required: true, integer: true, min: 1, max: 64 }));
  if (!form.objectiveMetric.trim()) errors['sweep.objective'] = 'required: the metric that picks the best trial';
  if (maxTrials === undefined || maxParallel === undefined || !form.objectiveMetric.trim() || Object.keys(space).length !== form.space.length) return null;
  return { strategy: form.strategy, space, maxTrials, maxParallel, objective: { metric: form.objectiveMetric.trim(), mode: form.objectiveMode } };
}

const SERVER_FIELDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^resources\.memoryGb$/, 'memoryGb'],
  [/^resources\.shmGb$/, 'memoryGb'],
  [/^resources\.cpus$/, 'cpus'],
  [/^resources\.gpus/, 'gpus'],
  [/^image$/, 'image'],
  [/^command/, 'command'],
  [/^name$/, 'name'],
  [/^experiment$/, 'experiment'],
  [/^hyperparameters/, 'hyperparameters'],
  [/^maxRuntimeSeconds$/, 'timeoutMinutes'],
  [/^earlyStopping\.(metric|patience|minDelta)$/, 'earlyStopping.$1'],
  [/^sweep\.space/, 'sweep.space'],
  [/^sweep\.(maxTrials|maxParallel)$/, 'sweep.$1'],
  [/^sweep\.objective/, 'sweep.objective'],
  [/^env/, 'env'],
  [/^workingDir$/, 'workingDir'],
  [/^checkpoint\.(dir|keepLast)$/, 'checkpoint.$1'],
  [/^retries$/, 'retries'],
  [/^priority$/, 'priority'],
];

/**
 * The form field a server error is about, from the path it starts with
 * ("spec.resources.memoryGb: 4096 GB asked, …" → 'memoryGb'); null when it names none we show.
 */
export function fieldOfServerError(message: string): string | null {
  const match = /^(?:spec\.)?((?:sweep\.)?[A-Za-z][\w.[\]]*):\s/.exec(message);
  if (!match) return null;
  const path = match[1]!;
  for (const [pattern, field] of SERVER_FIELDS) {
    const hit = pattern.exec(path);
    if (hit) return field.replace('$1', hit[1] ?? '');
  }
  return null;
}
