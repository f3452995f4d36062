import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/contract/training';
import { jobSpecSchema, type JobSpecInput } from '../../../shared/contract/training-spec';
import { defaultDockerEndpoint } from '../../../electron/services/docker/docker-endpoint';
import { chooseLauncher } from '../../../electron/services/training/training-area';
import type { TrainingService } from '../../../electron/services/training/training-service';
import { dockerAvailable } from '../../helpers/requirements';
import { tempDir } from '../../helpers/temp-dir';
import { startTestServer, type TestServer } from '../../helpers/test-server';
import { trainingQueue, waitForJob } from '../../helpers/training-queue';

/**
 * The app's own launcher (chooseLauncher, as training-area.ts wires it) with a Docker engine
 * answering: each job runs with the runner its spec asks for, and a restart finds each job through
 * the runner that started it.
 */

const haveDocker = await dockerAvailable();
const IMAGE = 'orrery/python:local';
const haveImage = haveDocker && imageExists();
if (haveDocker && !haveImage) {
  if (process.env.ORRERY_REQUIRE_DOCKER === '1') throw new Error(`${IMAGE} is missing: run npm run images`);
  console.warn(`\n*** SKIPPING runner-choice tests: ${IMAGE} is missing (npm run images builds it). ***\n`);
}

function imageExists(): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const examples = path.resolve(import.meta.dirname, '../../../resources/examples');
const endpoint = defaultDockerEndpoint(process.env, process.platform);
let server: TestServer;
let docker: Docker;
const queues: TrainingService[] = [];

/** A queue on the app's launcher: an engine answering, or (engine: false) none. */
function queue(engine = true): TrainingService {
  const training = trainingQueue(server, { launcher: chooseLauncher(endpoint, engine) });
  queues.push(training);
  return training;
}

const spec = (input: Partial<JobSpecInput> & { name: string; command: string[] }) =>
  jobSpecSchema.parse({
    image: IMAGE,
    experiment: 'runner-choice',
    mounts: [{ source: examples, target: '/workspace/examples', kind: 'workspace' }],
    ...input,
  });

/** A file on this machine, mounted into no container: only a job on the host sees it. */
function hostMarker(): string {
  const dir = tempDir('orrery-marker-');
  fs.chmodSync(dir, 0o755);
  const file = path.join(dir, 'marker');
  fs.writeFileSync(file, 'here', { mode: 0o644 });
  return file;
}

/** Prints a metric, whether it sees the host's marker, and writes an output file: in a container or on the host alike. */
function reporting(marker: string): string[] {
  return [
    'sh',
    '-c',
    `echo "ORRERY_METRICS {\\"step\\": 0, \\"acc\\": 0.5}"; if [ -f ${marker} ]; then echo on-host; else echo in-container; fi; echo done > "$ORRERY_OUTPUTS_DIR/result.txt"`,
  ];
}

const until = (training: TrainingService, jobId: string, statuses: Job['status'][], timeoutMs = 90_000): Promise<Job> => waitForJob(training, jobId, statuses, timeoutMs, 100);
const stdout = (training: TrainingService, jobId: string) =>
  training
    .logs(jobId, 200)
    .filter((l) => l.stream === 'stdout')
    .map((l) => l.line);
const jobContainers = async (jobId: string) => docker.listContainers({ all: true, filters: { label: [`dev.orrery.job-id=${jobId}`] } });

describe.skipIf(!haveImage)('each job runs with the runner it asks for, with a Docker engine answering', () => {
  beforeEach(async () => {
    server = await startTestServer();
    await server.running.app.training;
    docker = new Docker();
  });
  afterEach(async () => {
    for (const training of queues.splice(0)) training.close();
    await server.close();
  });

  it('runner process runs on the host as a plain process; a job naming no runner still runs in Docker; both report metrics and outputs', async () => {
    const training = queue();
    const marker = hostMarker();
    const host = await training.submit(spec({ name: 'on-host', runner: 'process', command: reporting(marker) }));
    // Recorded with the runner it asked for from the start, not the app's default.
    expect(server.running.app.tracking.getRun(host.runId).tags['orrery.runner']).toBe('process');
    const boxed = await training.submit(spec({ name: 'in-docker', command: reporting(marker) }));
    expect(server.running.app.tracking.getRun(boxed.runId).tags['orrery.runner']).toBe('docker');

    const hostDone = await until(training, host.jobId, ['finished', 'failed']);
    expect(hostDone, JSON.stringify(training.logs(host.jobId, 30))).toMatchObject({ status: 'finished', exitCode: 0, runner: 'process' });
    // A plain process: it saw the host, and no container was made for it.
    expect(stdout(training, host.jobId)).toContain('on-host');
    expect(await jobContainers(host.jobId)).toEqual([]);

    const boxedDone = await until(training, boxed.jobId, ['finished', 'failed']);
    expect(boxedDone, JSON.stringify(training.logs(boxed.jobId, 30))).toMatchObject({ status: 'finished', exitCode: 0, runner: 'docker' });
    expect(stdout(training, boxed.jobId)).toContain('in-container');

    for (const job of [hostDone, boxedDone]) {
      const run = server.running.app.tracking.getRunDetail(job.runId);
      expect(run.metrics.acc?.value).toBe(0.5);
      expect(run.tags['orrery.runner']).toBe(job.runner);
      const artifacts = await server.rpc<Array<{ path: string }>>('tracking.listArtifacts', { runId: job.runId });
      expect(artifacts.body.result!.map((a) => a.path)).toContain('result.txt');
    }
    // The image is the container's: only the Docker job's run records a digest.
    expect(server.running.app.tracking.getRun(boxedDone.runId).tags['orrery.image.digest']).toMatch(/sha256:/);
    expect(server.running.app.tracking.getRun(hostDone.runId).tags['orrery.image.digest']).toBeUndefined();
  });

  it('runner docker where no engine answered at start is refused at submit, naming runner and the fix; nothing is queued', async () => {
    const training = queue(false);
    await expect(training.submit(spec({ name: 'wants-docker', runner: 'docker', command: ['true'] }))).rejects.toThrow(
      `spec.runner: no Docker engine answered at ${endpoint} when Orrery started; use runner 'process', or start Docker and restart Orrery.`,
    );
    expect(training.list().filter((j) => j.spec.name === 'wants-docker')).toEqual([]);
  });

  it('after a restart each running job is found through the runner that started it', async () => {
    const first = queue();
    const code = 'import time\nfor i in range(40):\n    print("tick", i, flush=True)\n    time.sleep(0.1)';
    const boxed = await first.submit(spec({ name: 'long-docker', command: ['python3', '-c', code] }));
    const host = await first.submit(spec({ name: 'long-host', runner: 'process', command: ['sh', '-c', 'echo started; sleep 60'] }));
    await until(first, boxed.jobId, ['running']);
    const hostRunning = await until(first, host.jobId, ['running']);
    expect(hostRunning.runner).toBe('process');
    await new Promise((resolve) => setTimeout(resolve, 800));
    first.close(); // the container keeps running; a plain process cannot be followed again, so it is stopped

    const second = queue();
    await second.reattach();
    // The container job went back to Docker.
    const boxedDone = await until(second, boxed.jobId, ['finished', 'failed']);
    expect(boxedDone).toMatchObject({ status: 'finished', exitCode: 0, runner: 'docker' });
    const lines = second.logs(boxed.jobId, 1000).map((l) => l.line);
    expect(lines).toContain('tick 39');
    expect(lines).toContain('Orrery restarted and is following this job again.');
    // The process job went to the process runner, which has nothing to follow: recorded, not left running.
    expect(second.get(host.jobId)).toMatchObject({ status: 'failed', runner: 'process', reason: 'Orrery was closed while it ran, and its container or process is gone' });
    expect(await jobContainers(host.jobId)).toEqual([]);
  });
});
