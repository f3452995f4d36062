import { describe, expect, it } from 'vitest';
import { jobSpecSchema } from '../../shared/contract/training-spec';
import { buildSubmission, initialForm, type LaunchForm, type MachineLimits } from '../../renderer/src/pages/launch/launch-form';
import { createLaunchMemory, type KeyValueStorage } from '../../renderer/src/pages/launch/launch-memory';
import { buildSpecExtras, hostPathMessage, initialExtras, type ExtrasForm } from '../../renderer/src/pages/launch/spec-extras';
import { formFromSpec } from '../../renderer/src/pages/launch/spec-to-form';
import { jobEnding } from '../../renderer/src/pages/jobs/job-ending';

const limits: MachineLimits = { cpus: 16, memoryGb: 62.5, gpuIndices: [0] };

function extras(patch: Partial<ExtrasForm>): { errors: Record<string, string>; spec: ReturnType<typeof buildSpecExtras> } {
  const errors: Record<string, string> = {};
  const spec = buildSpecExtras({ ...initialExtras(), ...patch }, errors);
  return { errors, spec };
}

describe('the workspace, datasets and variables of a launch', () => {
  it('mounts the workspace at /workspace with the working directory there, as the README example runs', () => {
    const form: LaunchForm = {
      ...initialForm(),
      image: 'orrery/python:local',
      command: 'python3 digits_sgd.py',
      workspace: { source: '/repo/resources/examples', target: '', writable: false, workingDir: '' },
      hyperparameters: [{ key: 'epochs', value: '3' }],
    };
    const { errors, submission } = buildSubmission(form, limits);
    expect(errors).toEqual({});
    expect(submission?.spec).toMatchObject({
      command: ['python3', 'digits_sgd.py'],
      mounts: [{ source: '/repo/resources/examples', target: '/workspace', kind: 'workspace', writable: false }],
      workingDir: '/workspace',
    });
    expect(jobSpecSchema.safeParse(submission!.spec).success).toBe(true);
  });

  it("keeps the README's own layout: the folder mounted at /workspace/examples, the command naming the script there", () => {
    const { errors, spec } = extras({ workspace: { source: '/repo/resources/examples', target: '/workspace/examples', writable: true, workingDir: '/workspace' } });
    expect(errors).toEqual({});
    expect(spec.mounts).toEqual([{ source: '/repo/resources/examples', target: '/workspace/examples', kind: 'workspace', writable: true }]);
    expect(spec.workingDir).toBe('/workspace');
  });

  it('sends no working directory without a workspace (the image keeps its own)', () => {
    expect(extras({}).spec).toEqual({ mounts: [], env: {}, retries: 0, priority: 0 });
  });

  it('mounts datasets read-only at /data/<name> unless told where, and ignores empty rows', () => {
    const { errors, spec } = extras({
      datasets: [
        { source: '/srv/mnist/', target: '' },
        { source: '/srv/labels.csv', target: '/labels/train.csv' },
        { source: '', target: '' },
      ],
    });
    expect(errors).toEqual({});
    expect(spec.mounts).toEqual([
      { source: '/srv/mnist/', target: '/data/mnist', kind: 'dataset', writable: false },
      { source: '/srv/labels.csv', target: '/labels/train.csv', kind: 'dataset', writable: false },
    ]);
  });

  it('names each bad path: relative host paths, container paths that are not absolute, two mounts on one path', () => {
    const { errors } = extras({
      workspace: { source: 'project', target: 'workspace', writable: false, workingDir: 'src' },
      datasets: [
        { source: 'data', target: '' },
        { source: '/a/x', target: '/data/y' },
        { source: '/b/y', target: '' },
        { source: '', target: '/data/z' },
      ],
    });
    expect(errors).toEqual({
      'workspace.source': 'must be an absolute host path (starting with /)',
      'workspace.target': 'must be an absolute path inside the container (starting with /)',
      workingDir: 'must be an absolute path inside the container',
      'ds.0.source': 'must be an absolute host path (starting with /)',
      'ds.2.target': '/data/y is already used by dataset 2',
      'ds.3.source': 'required: the host folder or file',
    });
  });

  it('checks variable names as a shell takes them, refuses the ones Orrery sets, and passes values as typed', () => {
    const ok = extras({ env: [{ key: 'HF_HOME', value: '/tmp/hf cache=1' }, { key: '', value: '' }] });
    expect(ok.errors).toEqual({});
    expect(ok.spec.env).toEqual({ HF_HOME: '/tmp/hf cache=1' });
    const bad = extras({
      env: [
        { key: '1ST', value: 'x' },
        { key: 'MLFLOW_RUN_ID', value: 'x' },
        { key: 'A', value: '1' },
        { key: 'A', value: '2' },
        { key: '', value: 'orphan' },
      ],
    });
    expect(bad.errors).toEqual({
      'env.0.key': "'1ST' is not a valid variable name: letters, digits and _, not starting with a digit",
      'env.1.key': 'MLFLOW_RUN_ID is set by Orrery for every job; choose another name',
      'env.3.key': "'A' is set twice",
      'env.4.key': 'name required',
    });
  });

  it('builds the checkpoint folder, retries and priority, and names what is out of range', () => {
    const ok = extras({ checkpoint: { enabled: true, dir: '/ckpt', keepLast: '5' }, retries: '2', priority: '-10' });
    expect(ok.errors).toEqual({});
    expect(ok.spec).toMatchObject({ checkpoint: { dir: '/ckpt', keepLast: 5 }, retries: 2, priority: -10 });
    const bad = extras({ checkpoint: { enabled: true, dir: 'ckpt', keepLast: '0' }, retries: '11', priority: '1.5' });
    expect(bad.errors).toEqual({
      'checkpoint.dir': 'must be an absolute path inside the container (starting with /)',
      'checkpoint.keepLast': 'must be at least 1',
      retries: 'must be at most 10',
      priority: 'must be a whole number',
    });
  });

  it("shows the host's verdict without its field prefix", () => {
    expect(hostPathMessage("source: '/nope' does not exist.")).toBe("'/nope' does not exist.");
    expect(hostPathMessage("source[0].source: '/etc' is /etc")).toBe("'/etc' is /etc");
  });
});

describe('re-run: the dialog filled from a job spec', () => {
  it('gives back the same spec when nothing is changed', () => {
    const spec = jobSpecSchema.parse({
      name: 'digits',
      experiment: 'digits',
      image: 'orrery/python:local',
      command: ['python3', 'digits_sgd.py', '--note', 'two words'],
      env: { SEED: '7' },
      hyperparameters: { epochs: 3, alpha: 0.0001, opt: 'sgd', shuffle: true },
      mounts: [
        { source: '/repo/examples', target: '/workspace', kind: 'workspace', writable: true },
        { source: '/srv/mnist', target: '/data/mnist', kind: 'dataset' },
        { source: '/srv/other', target: '/mnt/other', kind: 'dataset' },
        { source: '/repo/stage2', target: '/stage2', kind: 'workspace' },
      ],
      workingDir: '/workspace',
      resources: { cpus: 2, memoryGb: 4, gpus: [0] },
      maxRuntimeSeconds: 600,
      earlyStopping: { metric: 'val_loss', mode: 'min', patience: 3 },
      checkpoint: { dir: '/ckpt', keepLast: 2 },
      retries: 1,
      priority: 5,
      runner: 'process',
    });
    const form = formFromSpec(spec);
    expect(form.keptRunner).toBe('process');
    expect(form.datasets).toEqual([
      { source: '/srv/mnist', target: '' },
      { source: '/srv/other', target: '/mnt/other' },
    ]);
    const { errors, submission } = buildSubmission(form, limits);
    expect(errors).toEqual({});
    expect(jobSpecSchema.parse(submission!.spec)).toEqual({ ...spec, mounts: [spec.mounts[0], spec.mounts[1], spec.mounts[2], spec.mounts[3]] });
  });

  it('changes one param and keeps the rest', () => {
    const spec = jobSpecSchema.parse({ name: 'd', image: 'img', command: ['python3', 't.py'], hyperparameters: { epochs: 3, alpha: 0.1 } });
    const form = formFromSpec(spec);
    form.hyperparameters = form.hyperparameters.map((row) => (row.key === 'epochs' ? { ...row, value: '5' } : row));
    const sent = buildSubmission(form, limits).submission?.spec;
    expect(sent?.hyperparameters).toEqual({ epochs: 5, alpha: 0.1 });
    // A job that named no runner is re-run with the app's default, not one the dialog picked.
    expect(sent).not.toHaveProperty('runner');
  });
});

describe('the launch memory', () => {
  function storage(): KeyValueStorage & { data: Map<string, string> } {
    const data = new Map<string, string>();
    return { data, getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
  }

  it('restores the last values per experiment, without the name, root or a kept runner', () => {
    const store = storage();
    const memory = createLaunchMemory(store);
    expect(memory.recall('digits')).toBeNull();
    memory.remember({ ...initialForm(), name: 'one', experiment: 'digits', command: 'python3 a.py', allowRoot: true, keptRunner: 'process', env: [{ key: 'A', value: '1' }] });
    memory.remember({ ...initialForm(), name: 'two', experiment: 'other', command: 'python3 b.py' });
    // The runner a re-run kept from its job is that job's, not the next launch's.
    expect(memory.recall('digits')).toMatchObject({ name: '', experiment: 'digits', command: 'python3 a.py', allowRoot: false, keptRunner: null, env: [{ key: 'A', value: '1' }] });
    expect(memory.recall('other')?.command).toBe('python3 b.py');
    expect(memory.lastExperiment()).toBe('other');
  });

  it('starts from the defaults when storage is missing, broken or full', () => {
    expect(createLaunchMemory(null).recall('x')).toBeNull();
    const broken = storage();
    broken.data.set('orrery.launch.experiment:x', '{not json');
    expect(createLaunchMemory(broken).recall('x')).toBeNull();
    const full = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); } };
    expect(() => createLaunchMemory(full).remember(initialForm())).not.toThrow();
  });
});

describe('how a job ended, in one set of words', () => {
  it('says the status and the reason, and nothing while the job waits or runs', () => {
    expect(jobEnding({ status: 'failed', reason: 'exited with code 2' })).toBe('Failed: exited with code 2');
    expect(jobEnding({ status: 'finished', reason: 'exited with code 0' })).toBe('Finished: exited with code 0');
    expect(jobEnding({ status: 'cancelled', reason: null })).toBe('Cancelled');
    expect(jobEnding({ status: 'cancelled', reason: 'cancelled by the user' })).toBe('Cancelled by the user');
    expect(jobEnding({ status: 'running', reason: 'x' })).toBeNull();
    expect(jobEnding({ status: 'queued', reason: 'waiting for a GPU' })).toBeNull();
  });
});
