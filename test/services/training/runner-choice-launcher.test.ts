import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { ContainerRunner } from '../../../electron/services/docker/container-runner';
import { DockerLauncher } from '../../../electron/services/training/docker-launcher';
import { ProcessLauncher } from '../../../electron/services/training/process-launcher';
import type { JobExit, JobLauncher, LaunchRequest, RunningJob, UnstartedJob } from '../../../electron/services/training/job-launcher';
import { RunnerChoiceLauncher } from '../../../electron/services/training/runner-choice-launcher';
import { jobSpecSchema, type JobSpec, type JobSpecInput } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';

const NO_ENGINE = "spec.runner: no Docker engine answered at unix:///var/run/docker.sock when Orrery started; use runner 'process', or start Docker and restart Orrery.";

/** A launcher that starts nothing and records what it was asked, under its runner's name. */
class RecordingLauncher implements JobLauncher {
  readonly calls: string[] = [];
  constructor(readonly kind: 'docker' | 'process') {}

  async validate(spec: JobSpec): Promise<void> {
    this.calls.push(`validate ${spec.name}`);
  }

  async launch(request: LaunchRequest): Promise<RunningJob> {
    this.calls.push(`launch ${request.spec.name}`);
    return runningJob(this.kind, `${this.kind}-handle`);
  }

  async reattach(handle: string, since: number, runner: 'docker' | 'process'): Promise<RunningJob | { ended: JobExit; finishedAt: number | null } | null> {
    this.calls.push(`reattach ${handle} ${since} ${runner}`);
    return runningJob(this.kind, handle);
  }
}

class RecordingDockerLauncher extends RecordingLauncher {
  constructor() {
    super('docker');
  }

  async images() {
    return [{ tag: 'orrery/python:local', id: 'sha256:1', sizeBytes: 1, created: 0 }];
  }

  async unstarted(): Promise<UnstartedJob[]> {
    return [{ handle: 'c1', jobId: 'j1', mounts: [], user: '1000:1000', gpuIndices: [], env: {}, privileges: [] }];
  }

  async startUnstarted(handle: string): Promise<RunningJob> {
    this.calls.push(`startUnstarted ${handle}`);
    return runningJob('docker', handle);
  }

  async discard(handle: string): Promise<void> {
    this.calls.push(`discard ${handle}`);
  }
}

function runningJob(runner: 'docker' | 'process', handle: string): RunningJob {
  return {
    runner,
    handle,
    imageDigest: null,
    onLine: () => undefined,
    wait: () => new Promise<JobExit>(() => undefined),
    stop: async () => undefined,
    stats: async () => null,
    detach: () => undefined,
  };
}

const spec = (input: Partial<JobSpecInput> & { name: string }): JobSpec => jobSpecSchema.parse({ image: 'orrery/python:local', command: ['python3', 'train.py'], ...input });

function request(s: JobSpec): LaunchRequest {
  return {
    jobId: 'j',
    runId: 'r',
    experimentId: '1',
    spec: s,
    gpuIndices: [],
    user: { uid: 1000, gid: 1000, source: 'workspace-owner' },
    trackingUri: 'http://127.0.0.1:1',
    trackingToken: 't',
    outputsDir: '/tmp/out',
    paramsFile: '/tmp/params.json',
    checkpointDir: null,
  };
}

function withEngine() {
  const docker = new RecordingDockerLauncher();
  const process = new RecordingLauncher('process');
  return { docker, process, launcher: new RunnerChoiceLauncher({ docker, process, noEngine: NO_ENGINE }) };
}

function withoutEngine() {
  const process = new RecordingLauncher('process');
  return { process, launcher: new RunnerChoiceLauncher({ docker: null, process, noEngine: NO_ENGINE }) };
}

describe('each job runs with the runner its spec asks for', () => {
  it('with an engine: a job naming no runner and a Docker job go to Docker, a process job to the process launcher', async () => {
    const { docker, process, launcher } = withEngine();
    expect(launcher.kind).toBe('docker');
    for (const s of [spec({ name: 'plain' }), spec({ name: 'boxed', runner: 'docker' }), spec({ name: 'host', runner: 'process' })]) {
      await launcher.validate(s);
      const running = await launcher.launch(request(s));
      expect(running.runner).toBe(s.name === 'host' ? 'process' : 'docker');
    }
    expect(docker.calls).toEqual(['validate plain', 'launch plain', 'validate boxed', 'launch boxed']);
    expect(process.calls).toEqual(['validate host', 'launch host']);
  });

  it('without an engine: a job naming no runner runs as a process, and a Docker job is refused naming runner and the fix', async () => {
    const { process, launcher } = withoutEngine();
    expect(launcher.kind).toBe('process');
    await launcher.validate(spec({ name: 'plain' }));
    expect((await launcher.launch(request(spec({ name: 'plain' })))).runner).toBe('process');
    const refused = await launcher.validate(spec({ name: 'boxed', runner: 'docker' })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OrreryError);
    expect(refused).toMatchObject({ code: 'INVALID_INPUT', message: NO_ENGINE });
    // One queued in a session that had an engine fails at launch the same way, never on the host.
    await expect(launcher.launch(request(spec({ name: 'queued', runner: 'docker' })))).rejects.toThrow(NO_ENGINE);
    expect(process.calls).toEqual(['validate plain', 'launch plain']);
    expect(await launcher.images()).toEqual([]);
    expect(await launcher.unstarted()).toEqual([]);
  });

  it('after a restart a job goes back to the launcher that started it, by the runner it was recorded with', async () => {
    const { docker, process, launcher } = withEngine();
    expect(await launcher.reattach('4242', 10, 'process')).toMatchObject({ runner: 'process', handle: '4242' });
    expect(await launcher.reattach('c0ffee', 20, 'docker')).toMatchObject({ runner: 'docker', handle: 'c0ffee' });
    expect(process.calls).toEqual(['reattach 4242 10 process']);
    expect(docker.calls).toEqual(['reattach c0ffee 20 docker']);

    // Its engine gone since: a container job cannot be reached, and nothing else is asked.
    const bare = withoutEngine();
    expect(await bare.launcher.reattach('c0ffee', 20, 'docker')).toBeNull();
    expect(bare.process.calls).toEqual([]);
  });

  it('a Docker or process launcher used alone refuses a job asking for the other runner, rather than run it its own way', async () => {
    const dockerAlone = new DockerLauncher({} as ContainerRunner, {} as Docker);
    await expect(dockerAlone.validate(spec({ name: 'host', runner: 'process' }))).rejects.toThrow(/^spec\.runner: this queue runs jobs only in Docker containers/);
    expect(await dockerAlone.reattach('4242', 0, 'process')).toBeNull();
    const processAlone = new ProcessLauncher();
    await expect(processAlone.validate(spec({ name: 'boxed', runner: 'docker' }))).rejects.toThrow(/^spec\.runner: this queue runs jobs only as plain processes/);
    await expect(processAlone.validate(spec({ name: 'host', runner: 'process' }))).resolves.toBeUndefined();
  });

  it("images and containers left unstarted are the Docker launcher's", async () => {
    const { docker, launcher } = withEngine();
    expect((await launcher.images()).map((i) => i.tag)).toEqual(['orrery/python:local']);
    expect((await launcher.unstarted()).map((c) => c.handle)).toEqual(['c1']);
    expect((await launcher.startUnstarted('c1')).runner).toBe('docker');
    await launcher.discard('c2');
    expect(docker.calls).toEqual(['startUnstarted c1', 'discard c2']);
  });
});
