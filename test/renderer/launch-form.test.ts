import { describe, expect, it } from 'vitest';
import { jobSpecSchema, sweepSchema } from '../../shared/contract/training-spec';
import {
  buildSubmission,
  checkNumber,
  fieldOfServerError,
  initialForm,
  suggestName,
  type LaunchForm,
  type MachineLimits,
} from '../../renderer/src/pages/launch/launch-form';

const limits: MachineLimits = { cpus: 16, memoryGb: 62.5, gpuIndices: [0, 1] };

function form(patch: Partial<LaunchForm> = {}): LaunchForm {
  return { ...initialForm(), image: 'orrery/python:local', command: 'python3 train.py --epochs 3', ...patch };
}

describe('checkNumber', () => {
  it('checks required, numbers, whole numbers and bounds', () => {
    expect(checkNumber('', {})).toEqual({});
    expect(checkNumber(' ', { required: true })).toEqual({ error: 'required' });
    expect(checkNumber('abc', {})).toEqual({ error: 'must be a number' });
    expect(checkNumber('1.5', { integer: true })).toEqual({ error: 'must be a whole number' });
    expect(checkNumber('0', { above: 0 })).toEqual({ error: 'must be more than 0' });
    expect(checkNumber('70', { max: 62.5, maxLabel: '62.5 GB' })).toEqual({ error: 'must be at most 62.5 GB' });
    expect(checkNumber('4', { above: 0, max: 8 })).toEqual({ value: 4 });
  });
});

describe('suggestName', () => {
  it('names the job after the script, else the program', () => {
    expect(suggestName('python3 /workspace/examples/digits_sgd.py --x 1')).toBe('digits_sgd');
    expect(suggestName('bash -c "echo hi"')).toBe('bash');
    expect(suggestName('')).toBe('');
  });
});

describe('buildSubmission: a single job', () => {
  it('builds a spec the contract accepts', () => {
    const { errors, submission } = buildSubmission(
      form({
        hyperparameters: [
          { key: 'lr', value: '0.1' },
          { key: 'opt', value: 'adam' },
          { key: '', value: '' },
        ],
        cpus: '2',
        memoryGb: '1',
        gpuMode: 'pick',
        gpuPicked: [1, 0],
        timeoutMinutes: '1.5',
        earlyStopping: { enabled: true, metric: 'val_loss', mode: 'min', patience: '3', minDelta: '0.01' },
      }),
      limits,
    );
    expect(errors).toEqual({});
    expect(submission).toEqual({
      kind: 'job',
      spec: {
        name: 'train',
        experiment: 'Default',
        image: 'orrery/python:local',
        command: ['python3', 'train.py', '--epochs', '3'],
        hyperparameters: { lr: 0.1, opt: 'adam' },
        passHyperparametersAsArgs: false,
        resources: { gpus: [0, 1], cpus: 2, memoryGb: 1 },
        // No workspace, datasets or variables: none is sent, and the image's working directory stays.
        mounts: [],
        env: {},
        retries: 0,
        priority: 0,
        maxRuntimeSeconds: 90,
        earlyStopping: { metric: 'val_loss', mode: 'min', patience: 3, minDelta: 0.01 },
      },
    });
    expect(jobSpecSchema.safeParse(submission!.spec).success).toBe(true);
  });

  it('names each bad field', () => {
    const { errors, submission } = buildSubmission(
      form({
        image: '',
        command: 'python3 "oops',
        hyperparameters: [
          { key: 'lr', value: '1' },
          { key: 'lr', value: '2' },
          { key: '', value: 'orphan' },
        ],
        cpus: '0',
        memoryGb: '100',
        gpuMode: 'count',
        gpuCount: '3',
        timeoutMinutes: 'soon',
        earlyStopping: { enabled: true, metric: '', mode: 'min', patience: '0', minDelta: '-1' },
      }),
      limits,
    );
    expect(submission).toBeNull();
    expect(errors).toEqual({
      image: 'required: pick an image',
      command: 'has an unclosed double quote',
      name: 'required',
      'hp.1.key': "'lr' is set twice",
      'hp.2.key': 'name required',
      cpus: 'must be more than 0',
      memoryGb: "must be at most 62.5 GB (this machine's memory)",
      gpus: "must be at most 2 (this machine's GPUs)",
      timeoutMinutes: 'must be a number',
      'earlyStopping.metric': 'required: the metric to watch',
      'earlyStopping.patience': 'must be at least 1',
      'earlyStopping.minDelta': 'must be at least 0',
    });
  });

  it('asks for a command and for picked GPUs', () => {
    const { errors } = buildSubmission(form({ command: '   ', name: 'x', gpuMode: 'pick', gpuPicked: [] }), limits);
    expect(errors.command).toMatch(/required/);
    expect(errors.gpus).toMatch(/pick at least one GPU/);
    expect(buildSubmission(form({ gpuMode: 'count', gpuCount: '1' }), { ...limits, gpuIndices: [] }).errors.gpus).toMatch(/no NVIDIA GPU/);
  });
});

describe('buildSubmission: a sweep', () => {
  it('builds the space from values, ranges and log-uniform rows', () => {
    const { errors, submission } = buildSubmission(
      form({
        mode: 'sweep',
        hyperparameters: [{ key: 'epochs', value: '5' }],
        sweep: {
          strategy: 'random',
          maxTrials: '8',
          maxParallel: '2',
          objectiveMetric: 'val_acc',
          objectiveMode: 'max',
          space: [
            { name: 'opt', kind: 'values', values: 'adam, sgd, 3', min: '', max: '', step: '', integer: false },
            { name: 'depth', kind: 'range', values: '', min: '2', max: '8', step: '2', integer: true },
            { name: 'lr', kind: 'logUniform', values: '', min: '1e-4', max: '0.1', step: '', integer: false },
          ],
        },
      }),
      limits,
    );
    expect(errors).toEqual({});
    expect(submission?.kind).toBe('sweep');
    if (submission?.kind !== 'sweep') throw new Error('not a sweep');
    // The fixed ones travel with the sweep: every trial gets them plus its point.
    expect(submission.spec.hyperparameters).toEqual({ epochs: 5 });
    expect(submission.sweep).toEqual({
      strategy: 'random',
      maxTrials: 8,
      maxParallel: 2,
      objective: { metric: 'val_acc', mode: 'max' },
      space: { opt: { values: ['adam', 'sgd', 3] }, depth: { min: 2, max: 8, step: 2, integer: true }, lr: { logUniform: { min: 0.0001, max: 0.1 } } },
    });
    expect(sweepSchema.safeParse(submission.sweep).success).toBe(true);
  });

  it('refuses a parameter both fixed and swept, naming it', () => {
    const { errors, submission } = buildSubmission(
      form({
        mode: 'sweep',
        hyperparameters: [
          { key: 'epochs', value: '5' },
          { key: 'lr', value: '0.1' },
        ],
        sweep: {
          strategy: 'grid',
          maxTrials: '8',
          maxParallel: '1',
          objectiveMetric: 'loss',
          objectiveMode: 'min',
          space: [{ name: 'lr', kind: 'values', values: '0.1, 0.01', min: '', max: '', step: '', integer: false }],
        },
      }),
      limits,
    );
    expect(submission).toBeNull();
    expect(errors).toEqual({ 'hp.1.key': expect.stringMatching(/'lr' is also swept/) });
  });

  it('names bad rows and limits', () => {
    const { errors } = buildSubmission(
      form({
        mode: 'sweep',
        sweep: {
          strategy: 'grid',
          maxTrials: '0',
          maxParallel: '65',
          objectiveMetric: '',
          objectiveMode: 'min',
          space: [
            { name: '', kind: 'values', values: '1', min: '', max: '', step: '', integer: false },
            { name: 'a', kind: 'values', values: ' , ', min: '', max: '', step: '', integer: false },
            { name: 'b', kind: 'range', values: '', min: '5', max: '1', step: '-1', integer: false },
            { name: 'c', kind: 'logUniform', values: '', min: '0', max: '1', step: '', integer: false },
          ],
        },
      }),
      limits,
    );
    expect(errors).toMatchObject({
      'space.0.name': 'name required',
      'space.1.values': expect.stringMatching(/at least one value/),
      'space.2.max': 'must not be below min',
      'space.2.step': 'must be more than 0',
      'space.3.min': 'must be more than 0',
      'sweep.maxTrials': 'must be at least 1',
      'sweep.maxParallel': 'must be at most 64',
      'sweep.objective': expect.stringMatching(/required/),
    });
  });
});

describe('fieldOfServerError', () => {
  it('maps the path a server error starts with to the form field', () => {
    expect(fieldOfServerError('spec.resources.memoryGb: 4096 GB asked, the machine has 62.5 GB')).toBe('memoryGb');
    expect(fieldOfServerError('resources.gpus: asks for 1 GPU but this machine has no NVIDIA GPU')).toBe('gpus');
    expect(fieldOfServerError("spec.image: 'nope' is not a local image. Local images: …")).toBe('image');
    expect(fieldOfServerError('spec.maxRuntimeSeconds: must be an integer')).toBe('timeoutMinutes');
    expect(fieldOfServerError('spec.earlyStopping.patience: must be at least 1 evaluation')).toBe('earlyStopping.patience');
    expect(fieldOfServerError('sweep.space.lr: max must not be below min')).toBe('sweep.space');
    expect(fieldOfServerError('spec.mounts[0].source: does not exist')).toBeNull();
    expect(fieldOfServerError('The engine is gone.')).toBeNull();
  });
});
