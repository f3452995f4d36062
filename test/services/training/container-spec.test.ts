import { describe, expect, it } from 'vitest';
import { jobSpecSchema, type JobSpecInput } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';
import {
  buildContainerSpec,
  CONTAINER_OUTPUTS_DIR,
  CONTAINER_PARAMS_FILE,
  DEFAULT_PIDS_LIMIT,
  hyperparameterArgs,
  type ContainerSpecInput,
} from '../../../electron/services/training/container-spec';

const GIB = 1024 ** 3;

function input(spec: Partial<JobSpecInput> = {}, more: Partial<ContainerSpecInput> = {}): ContainerSpecInput {
  return {
    jobId: 'job-1',
    runId: 'run-abc',
    experimentId: '7',
    // env is set after the schema: a spec stored before reserved names were refused may still carry one.
    spec: { ...jobSpecSchema.parse({ name: 'train', image: 'orrery/python:local', command: ['python3', 'train.py'], ...spec, env: {} }), env: spec.env ?? {} },
    gpuIndices: [],
    trackingUri: 'http://127.0.0.1:4780',
    trackingToken: 'tok-123',
    outputsHostDir: '/data/runs/run-abc/outputs',
    paramsHostFile: '/data/runs/run-abc/params.json',
    ...more,
  };
}

/** The Env list as a map; a name given twice would be a bug, so it fails here. */
function envOf(env: string[] | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of env ?? []) {
    const eq = entry.indexOf('=');
    const key = entry.slice(0, eq);
    expect(map, `${key} is set twice`).not.toHaveProperty(key);
    map[key] = entry.slice(eq + 1);
  }
  return map;
}

describe('buildContainerSpec', () => {
  it('names the image and runs the command as given', () => {
    const options = buildContainerSpec(input({ hyperparameters: { lr: 0.1 } }));
    expect(options.Image).toBe('orrery/python:local');
    expect(options.Cmd).toEqual(['python3', 'train.py']);
    expect(options.Tty).toBe(false);
    expect(options.OpenStdin).toBe(false);
  });

  it('appends --key=value arguments when asked, in the order given', () => {
    const options = buildContainerSpec(
      input({ passHyperparametersAsArgs: true, hyperparameters: { lr: 0.001, optimizer: 'adam', nesterov: true, epochs: 10 } }),
    );
    expect(options.Cmd).toEqual(['python3', 'train.py', '--lr=0.001', '--optimizer=adam', '--nesterov=true', '--epochs=10']);
    expect(hyperparameterArgs({})).toEqual([]);
  });

  it('does not change the spec it was given', () => {
    const given = input({ passHyperparametersAsArgs: true, hyperparameters: { lr: 1 } });
    buildContainerSpec(given);
    expect(given.spec.command).toEqual(['python3', 'train.py']);
  });

  it('sets the params, the MLflow variables, the job id and unbuffered output', () => {
    const env = envOf(buildContainerSpec(input({ hyperparameters: { lr: 0.01, layers: 3, name: 'a b' } })).Env);
    expect(JSON.parse(env['ORRERY_PARAMS']!)).toEqual({ lr: 0.01, layers: 3, name: 'a b' });
    expect(env['ORRERY_PARAMS_FILE']).toBe('/orrery/params.json');
    expect(env['ORRERY_OUTPUTS_DIR']).toBe('/orrery/outputs');
    expect(env['MLFLOW_TRACKING_URI']).toBe('http://127.0.0.1:4780');
    expect(env['MLFLOW_TRACKING_TOKEN']).toBe('tok-123');
    expect(env['MLFLOW_RUN_ID']).toBe('run-abc');
    expect(env['MLFLOW_EXPERIMENT_ID']).toBe('7');
    expect(env['ORRERY_JOB_ID']).toBe('job-1');
    expect(env['PYTHONUNBUFFERED']).toBe('1');
  });

  it("keeps the job's env and Orrery's extra env; neither can replace Orrery's own variables", () => {
    const env = envOf(
      buildContainerSpec(
        input(
          { env: { SEED: '42', MLFLOW_RUN_ID: 'hijack', SHARED: 'from-job' } },
          { extraEnv: { ORRERY_SWEEP_ID: 's1', SHARED: 'from-orrery', ORRERY_JOB_ID: 'nope' } },
        ),
      ).Env,
    );
    expect(env['SEED']).toBe('42');
    expect(env['ORRERY_SWEEP_ID']).toBe('s1');
    expect(env['SHARED']).toBe('from-orrery');
    expect(env['MLFLOW_RUN_ID']).toBe('run-abc');
    expect(env['ORRERY_JOB_ID']).toBe('job-1');
  });

  it('labels the container with its job, run and experiment, as managed by Orrery', () => {
    expect(buildContainerSpec(input()).Labels).toEqual({
      'dev.orrery.job-id': 'job-1',
      'dev.orrery.run-id': 'run-abc',
      'dev.orrery.experiment-id': '7',
      'dev.orrery.managed': 'true',
    });
  });

  it("sets the working directory only when asked (else the image's)", () => {
    expect(buildContainerSpec(input({ workingDir: '/workspace/project' })).WorkingDir).toBe('/workspace/project');
    expect(buildContainerSpec(input())).not.toHaveProperty('WorkingDir');
  });

  it("runs as the image's user unless a user is given", () => {
    expect(buildContainerSpec(input())).not.toHaveProperty('User');
    expect(buildContainerSpec(input({}, { user: '1001:1001' })).User).toBe('1001:1001');
  });

  describe('HostConfig', () => {
    const host = (spec: Partial<JobSpecInput> = {}, more: Partial<ContainerSpecInput> = {}) => buildContainerSpec(input(spec, more)).HostConfig!;

    it('uses the host network so the job reaches Orrery on 127.0.0.1', () => {
      expect(host().NetworkMode).toBe('host');
    });

    it('forbids new privileges and drops every capability', () => {
      expect(host().SecurityOpt).toEqual(['no-new-privileges']);
      expect(host().CapDrop).toEqual(['ALL']);
      expect(host().CapAdd).toBeUndefined();
      expect(host().Privileged).toBeUndefined();
    });

    it('limits processes', () => {
      expect(host().PidsLimit).toBe(DEFAULT_PIDS_LIMIT);
      expect(DEFAULT_PIDS_LIMIT).toBe(4096);
      expect(host({}, { pidsLimit: 512 }).PidsLimit).toBe(512);
    });

    it('keeps the container after it exits, for its exit code, and runs an init as PID 1', () => {
      expect(host().AutoRemove).toBe(false);
      expect(host().Init).toBe(true);
    });

    it('turns cpus into NanoCpus', () => {
      expect(host({ resources: { cpus: 2.5, gpus: 0 } }).NanoCpus).toBe(2_500_000_000);
      expect(host({ resources: { cpus: 0.1, gpus: 0 } }).NanoCpus).toBe(100_000_000);
    });

    it('turns memoryGb into bytes (GiB) with no swap beyond it', () => {
      const config = host({ resources: { memoryGb: 4, gpus: 0 } });
      expect(config.Memory).toBe(4 * GIB);
      expect(config.MemorySwap).toBe(4 * GIB);
      expect(host({ resources: { memoryGb: 0.5, gpus: 0 } }).Memory).toBe(GIB / 2);
    });

    it('turns shmGb into ShmSize bytes', () => {
      expect(host({ resources: { shmGb: 2, gpus: 0 } }).ShmSize).toBe(2 * GIB);
    });

    it("leaves out every limit the job did not ask for (the engine's defaults apply)", () => {
      const config = host();
      expect(config.NanoCpus).toBeUndefined();
      expect(config.Memory).toBeUndefined();
      expect(config.MemorySwap).toBeUndefined();
      expect(config.ShmSize).toBeUndefined();
    });

    it('mounts outputs read-write, params read-only, datasets read-only, workspaces read-only unless marked writable', () => {
      const config = host({
        mounts: [
          { source: '/data/mnist', target: '/data/mnist' },
          { source: '/home/me/project', target: '/workspace', kind: 'workspace' },
          { source: '/home/me/stage-out', target: '/stage', kind: 'workspace', writable: true },
        ],
      });
      expect(config.Mounts).toEqual([
        { Type: 'bind', Source: '/data/mnist', Target: '/data/mnist', ReadOnly: true },
        { Type: 'bind', Source: '/home/me/project', Target: '/workspace', ReadOnly: true },
        { Type: 'bind', Source: '/home/me/stage-out', Target: '/stage', ReadOnly: false },
        { Type: 'bind', Source: '/data/runs/run-abc/outputs', Target: CONTAINER_OUTPUTS_DIR, ReadOnly: false },
        { Type: 'bind', Source: '/data/runs/run-abc/params.json', Target: CONTAINER_PARAMS_FILE, ReadOnly: true },
      ]);
      expect(config.Binds).toBeUndefined();
    });

    it('refuses a dataset marked writable when the spec is parsed', () => {
      const parsed = jobSpecSchema.safeParse({ name: 't', image: 'i', command: ['x'], mounts: [{ source: '/d', target: '/d', writable: true }] });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(['mounts', 0, 'writable']);
    });

    it('refuses a relative mount source, a mount over the outputs or params, and two mounts on one target', () => {
      const refusal = (spec: Partial<JobSpecInput>) => {
        try {
          buildContainerSpec(input(spec));
        } catch (error) {
          expect(error).toBeInstanceOf(OrreryError);
          expect((error as OrreryError).code).toBe('INVALID_INPUT');
          return (error as OrreryError).message;
        }
        throw new Error('expected a refusal');
      };
      expect(refusal({ mounts: [{ source: 'data', target: '/data' }] })).toMatch(/absolute path/);
      expect(refusal({ mounts: [{ source: '/x', target: '/orrery/outputs/' }] })).toMatch(/\/orrery\/outputs is reserved/);
      expect(refusal({ mounts: [{ source: '/x', target: '/orrery/params.json' }] })).toMatch(/reserved/);
      expect(
        refusal({
          mounts: [
            { source: '/a', target: '/data' },
            { source: '/b', target: '/data/../data' },
          ],
        }),
      ).toMatch(/share the target \/data/);
    });

    it('asks for no device, and hides every GPU, for a CPU job', () => {
      const options = buildContainerSpec(input());
      expect(options.HostConfig!.DeviceRequests).toBeUndefined();
      expect(envOf(options.Env)['NVIDIA_VISIBLE_DEVICES']).toBe('void');
      expect(envOf(buildContainerSpec(input({ env: { NVIDIA_VISIBLE_DEVICES: 'all' } })).Env)['NVIDIA_VISIBLE_DEVICES']).toBe('void');
    });

    it('asks for exactly the allocated GPUs by nvidia-smi index, never by count', () => {
      const options = buildContainerSpec(input({ resources: { gpus: 2 } }, { gpuIndices: [1, 3] }));
      const requests = options.HostConfig!.DeviceRequests!;
      expect(requests).toEqual([{ Driver: 'nvidia', DeviceIDs: ['1', '3'], Capabilities: [['gpu']] }]);
      expect(requests[0]).not.toHaveProperty('Count');
      // The same GPUs as the engine's GPU driver sets from DeviceIDs, whatever the job's env says.
      expect(envOf(options.Env)['NVIDIA_VISIBLE_DEVICES']).toBe('1,3');
      const widened = buildContainerSpec(input({ env: { NVIDIA_VISIBLE_DEVICES: 'all' } }, { gpuIndices: [2] }));
      expect(envOf(widened.Env)['NVIDIA_VISIBLE_DEVICES']).toBe('2');
    });

    it('a single GPU', () => {
      expect(host({}, { gpuIndices: [0] }).DeviceRequests).toEqual([{ Driver: 'nvidia', DeviceIDs: ['0'], Capabilities: [['gpu']] }]);
    });
  });
});
