import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Docker from 'dockerode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/contract/training';
import { jobSpecSchema, type JobSpecInput } from '../../../shared/contract/training-spec';
import { DockerLauncher } from '../../../electron/services/training/docker-launcher';
import { ContainerRunner } from '../../../electron/services/docker/container-runner';
import { TrainingService } from '../../../electron/services/training/training-service';
import { dockerAvailable } from '../../helpers/requirements';
import { startTestServer, type TestServer } from '../../helpers/test-server';
import { trainingQueue, waitForJob } from '../../helpers/training-queue';

const haveDocker = await dockerAvailable();
const IMAGE = 'orrery/python:local';
const haveImage = haveDocker && imageExists();
if (haveDocker && !haveImage) {
  if (process.env.ORRERY_REQUIRE_DOCKER === '1') throw new Error(`${IMAGE} is missing: run npm run images`);
  console.warn(`\n*** SKIPPING Docker training tests: ${IMAGE} is missing (npm run images builds it). ***\n`);
}

function imageExists(): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Built FROM the training image by the GPU test, without `true`. */
const NO_TRUE_IMAGE = 'orrery-test/no-true:local';
const examples = path.resolve(import.meta.dirname, '../../../resources/examples');
let server: TestServer;
let docker: Docker;

function service(): TrainingService {
  return trainingQueue(server, {
    launcher: new DockerLauncher(new ContainerRunner(docker), docker),
    gpus: [{ index: 0, uuid: 'GPU-test', name: 'fixture GPU', memoryTotalMb: 24564 }],
    systemMetricsIntervalMs: 500,
  });
}

const spec = (input: Partial<JobSpecInput> & { name: string; command: string[] }) =>
  jobSpecSchema.parse({
    image: IMAGE,
    experiment: 'docker-jobs',
    mounts: [{ source: examples, target: '/workspace/examples', kind: 'workspace' }],
    ...input,
  });

const until = (training: TrainingService, jobId: string, statuses: Job['status'][], timeoutMs = 90_000): Promise<Job> => waitForJob(training, jobId, statuses, timeoutMs, 100);

describe.skipIf(!haveImage)('training jobs in Docker containers', () => {
  beforeEach(async () => {
    server = await startTestServer();
    await server.running.app.training;
    docker = new Docker();
  });
  afterEach(async () => {
    await server.close();
  });

  it('trains scikit-learn digits: per-epoch metrics in the run, model collected as an artifact, image digest recorded', async () => {
    const training = service();
    const job = await training.submit(spec({ name: 'digits', command: ['python3', '/workspace/examples/digits_sgd.py'], hyperparameters: { epochs: 5 }, resources: { cpus: 1, memoryGb: 1 } }));
    const done = await until(training, job.jobId, ['finished', 'failed']);
    expect(done, JSON.stringify(training.logs(job.jobId, 30))).toMatchObject({ status: 'finished', exitCode: 0, runner: 'docker' });
    const run = server.running.app.tracking.getRunDetail(job.runId);
    expect(run.metrics.val_acc?.step).toBe(4);
    // One point per epoch: the script logs through orrery_tracking or prints ORRERY_METRICS lines, never both.
    expect(server.running.app.tracking.metricHistory(job.runId, 'val_acc', 100, 0).map((p) => p.step)).toEqual([0, 1, 2, 3, 4]);
    expect(Number(run.metrics.val_acc?.value)).toBeGreaterThan(0.8);
    expect(run.params).toMatchObject({ epochs: '5' });
    expect(run.tags['orrery.image.digest']).toMatch(/^sha256:|@sha256:/);
    const artifacts = await server.rpc<Array<{ path: string }>>('tracking.listArtifacts', { runId: job.runId });
    expect(artifacts.body.result!.map((a) => a.path).sort()).toEqual(['metrics.json', 'model', 'model.pkl']);
    // The MLflow-format model folder, ready to register and deploy.
    const modelFolder = await server.rpc<Array<{ path: string }>>('tracking.listArtifacts', { runId: job.runId, path: 'model' });
    expect(modelFolder.body.result!.map((a) => a.path).sort()).toEqual(['model/MLmodel', 'model/input_example.json', 'model/model.pkl']);
    training.close();
  });

  it('refuses a GPU job at submit on this engine (no NVIDIA runtime) with the fix, leaving no container behind', async () => {
    const training = service();
    // The engine's own refusal, met by a probe container before the job is queued.
    const submitted = training.submit(spec({ name: 'gpu', command: ['python3', '-c', 'print(1)'], resources: { gpus: [0] } }));
    await expect(submitted).rejects.toThrow(/^spec\.resources\.gpus: This Docker engine has no NVIDIA runtime.*nvidia-ctk runtime configure/);
    expect(training.list().filter((j) => j.spec.name === 'gpu')).toEqual([]);
    const probes = await docker.listContainers({ all: true, filters: { label: ['dev.orrery.gpu-probe'] } });
    expect(probes).toEqual([]);

    // An image without `true` (distroless) is asked the same question: the engine refuses GPUs before it runs anything.
    execFileSync('docker', ['build', '-q', '-t', NO_TRUE_IMAGE, '-'], { input: `FROM ${IMAGE}\nUSER root\nRUN rm -f /bin/true /usr/bin/true\n` });
    const distroless = training.submit(spec({ name: 'gpu2', image: NO_TRUE_IMAGE, command: ['python3', '-c', 'print(1)'], resources: { gpus: [0] } }));
    await expect(distroless).rejects.toThrow(/^spec\.resources\.gpus: This Docker engine has no NVIDIA runtime/);
    expect(await docker.listContainers({ all: true, filters: { label: ['dev.orrery.gpu-probe'] } })).toEqual([]);
    training.close();
  });

  it('an unknown image is refused at submit, listing the local images', async () => {
    const training = service();
    await expect(training.submit(spec({ name: 'x', image: 'no/such-image:1', command: ['true'] }))).rejects.toThrow(/not a local image.*orrery\/python:local/);
    training.close();
  });

  it('a container killed from outside (docker kill) is marked with what happened', async () => {
    const training = service();
    const job = await training.submit(spec({ name: 'victim', command: ['python3', '-c', 'import time; time.sleep(120)'] }));
    const running = await until(training, job.jobId, ['running']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [container] = await docker.listContainers({ filters: { label: [`dev.orrery.job-id=${running.jobId}`] } });
    await docker.getContainer(container!.Id).kill();
    const done = await until(training, job.jobId, ['failed']);
    expect(done.reason).toBe('killed from outside Orrery (SIGKILL, exit code 137)');
    expect(server.running.app.tracking.getRun(job.runId).status).toBe('KILLED');
    training.close();
  });

  it('a restart mid-run reattaches: logs keep coming and the run is recorded as finished', async () => {
    const first = service();
    const code = 'import time\nfor i in range(30):\n    print("tick", i, flush=True)\n    time.sleep(0.1)';
    const job = await first.submit(spec({ name: 'long', command: ['python3', '-c', code] }));
    await until(first, job.jobId, ['running']);
    await new Promise((resolve) => setTimeout(resolve, 800));
    first.close(); // Orrery closes; the container keeps running

    const second = service();
    await second.reattach();
    const done = await until(second, job.jobId, ['finished', 'failed']);
    expect(done).toMatchObject({ status: 'finished', exitCode: 0 });
    const lines = second.logs(job.jobId, 1000).map((l) => l.line);
    expect(lines).toContain('tick 29');
    expect(lines).toContain('Orrery restarted and is following this job again.');
    const run = server.running.app.tracking.getRun(job.runId);
    expect(run.status).toBe('FINISHED');
    // docker stats were sampled into the run while it ran.
    expect(run.metrics['system/memory_mb']?.value).toBeGreaterThan(0);
    expect(run.metrics['system/cpu_percent']).toBeDefined();
    second.close();
  });

  it('a job that ended while Orrery was closed is recorded with its exit code', async () => {
    const first = service();
    const job = await first.submit(spec({ name: 'short', command: ['python3', '-c', 'import time, sys; time.sleep(1); sys.exit(4)'] }));
    await until(first, job.jobId, ['running']);
    first.close();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const second = service();
    await second.reattach();
    const done = second.get(job.jobId);
    expect(done).toMatchObject({ status: 'failed', exitCode: 4, reason: 'exited with code 4 (while Orrery was closed)' });
    second.close();
  });
});
