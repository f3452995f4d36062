import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/contract/training';
import { jobSpecSchema, type JobSpecInput } from '../../../shared/contract/training-spec';
import { LABEL_JOB_ID, LABEL_MANAGED } from '../../../electron/services/training/container-spec';
import { DockerLauncher } from '../../../electron/services/training/docker-launcher';
import { ContainerRunner, type ContainerEngine } from '../../../electron/services/docker/container-runner';
import { JobRepository } from '../../../electron/services/training/job-repository';
import { TrainingService } from '../../../electron/services/training/training-service';
import { dockerAvailable } from '../../helpers/requirements';
import { tempDir } from '../../helpers/temp-dir';
import { startTestServer, type TestServer } from '../../helpers/test-server';
import { trainingQueue, waitForJob } from '../../helpers/training-queue';

/**
 * Least privilege for jobs in real containers: never root unless allowed, the workspace owner or
 * 65534 otherwise, outputs writable for that user alone, mounts that would hand over the host
 * refused at submit; and containers Orrery created but never started are started or removed at
 * the next start, their run saying which.
 */

const haveDocker = await dockerAvailable();
const IMAGE = 'orrery/python:local';
const haveImage = haveDocker && imageExists();
if (haveDocker && !haveImage) {
  if (process.env.ORRERY_REQUIRE_DOCKER === '1') throw new Error(`${IMAGE} is missing: run npm run images`);
  console.warn(`\n*** SKIPPING Docker privilege tests: ${IMAGE} is missing (npm run images builds it). ***\n`);
}
const isRoot = process.getuid?.() === 0;

function imageExists(): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let server: TestServer;
let docker: Docker;
const services: TrainingService[] = [];

function service(engine: ContainerEngine = docker): TrainingService {
  const training = trainingQueue(server, { launcher: new DockerLauncher(new ContainerRunner(engine), docker), systemMetricsIntervalMs: 60_000 });
  services.push(training);
  return training;
}

/**
 * An engine whose containers are created but whose start never returns: Orrery stopping right
 * after it created a job's container and before it started it.
 */
function stopsBeforeStart(created: string[]): ContainerEngine {
  return new Proxy(docker, {
    get(target, prop, receiver) {
      if (prop !== 'createContainer') return Reflect.get(target, prop, receiver) as unknown;
      return async (options: Docker.ContainerCreateOptions) => {
        const container = await target.createContainer(options);
        return new Proxy(container, {
          get(c, p, r) {
            if (p === 'start') {
              // Created, checked, and about to start: this is where Orrery stops.
              created.push(container.id);
              return () => new Promise(() => undefined);
            }
            const value = Reflect.get(c, p, r) as unknown;
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(c) : value;
          },
        });
      };
    },
  }) as ContainerEngine;
}

const spec = (input: Partial<JobSpecInput> & { name: string; command: string[] }) => jobSpecSchema.parse({ image: IMAGE, experiment: 'privileges', ...input });

/** A world-readable folder outside the data dir, owned by root (tempDir makes 0700 ones). */
function shared(): string {
  const dir = tempDir('orrery-shared-');
  fs.chmodSync(dir, 0o755);
  return dir;
}

const until = (training: TrainingService, jobId: string, statuses: Job['status'][], timeoutMs = 90_000): Promise<Job> => waitForJob(training, jobId, statuses, timeoutMs, 100);

function lines(training: TrainingService, jobId: string): string[] {
  return training.logs(jobId, 200).map((l) => l.line);
}

async function containersOf(jobId: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${LABEL_JOB_ID}=${jobId}`] } });
}

describe.skipIf(!haveImage)('job containers run with least privilege', () => {
  beforeEach(async () => {
    server = await startTestServer();
    await server.running.app.training;
    docker = new Docker();
  });
  afterEach(async () => {
    for (const training of services.splice(0)) training.close();
    await server.close();
  });

  it.skipIf(!isRoot)("a root-owned workspace: the job runs as 65534 (the image's user is root), writes its outputs, cannot write the read-only workspace; the run records the uid", async () => {
    const workspace = shared();
    fs.writeFileSync(path.join(workspace, 'train.sh'), 'id -u; id -g\necho weights > /orrery/outputs/model.txt && echo wrote-outputs\ntouch /workspace/new 2>/dev/null || echo workspace-read-only\n');
    // An image whose configured user is root (orrery/python:local's is 'trainer').
    const base = await docker.createContainer({ Image: IMAGE, Cmd: ['true'] });
    await base.commit({ repo: 'orrery/python-root', tag: 'test', changes: ['USER root'] });
    await base.remove({ force: true });
    const rootImage = 'orrery/python-root:test';
    expect((await docker.getImage(rootImage).inspect()).Config.User).toBe('root');
    const training = service();
    const job = await training.submit(
      spec({ name: 'who', image: rootImage, command: ['sh', '/workspace/train.sh'], mounts: [{ source: workspace, target: '/workspace', kind: 'workspace' }] }),
    );
    const done = await until(training, job.jobId, ['finished', 'failed']);
    expect(done.status, JSON.stringify(lines(training, job.jobId))).toBe('finished');
    expect(lines(training, job.jobId)).toEqual(expect.arrayContaining(['65534', 'wrote-outputs', 'workspace-read-only']));
    expect(lines(training, job.jobId).indexOf('65534')).toBeLessThan(lines(training, job.jobId).indexOf('wrote-outputs'));
    const run = server.running.app.tracking.getRunDetail(job.runId);
    expect(run.tags).toMatchObject({ 'orrery.job_user': '65534:65534', 'orrery.job_user.source': 'unprivileged' });
    const artifacts = await server.rpc<Array<{ path: string }>>('tracking.listArtifacts', { runId: job.runId });
    expect(artifacts.body.result!.map((a) => a.path)).toEqual(['model.txt']);
    const outputs = fs.statSync(path.join(server.dataDir, 'jobs', job.jobId, 'outputs'));
    expect(outputs.mode & 0o777).toBe(0o700);
    expect(outputs.uid).toBe(65534);
    expect(fs.existsSync(path.join(workspace, 'new'))).toBe(false);
    await docker.getImage(rootImage).remove({ force: true }).catch(() => undefined);
  });

  it.skipIf(!isRoot)('runs as the workspace owner when not root; a writable workspace is written; allowRoot runs as 0', async () => {
    const training = service();
    const owned = shared();
    fs.chownSync(owned, 1000, 1000);
    const mine = await training.submit(spec({ name: 'owner', command: ['sh', '-c', 'id -u; touch /w/made-by-job && echo wrote'], mounts: [{ source: owned, target: '/w', kind: 'workspace', writable: true }] }));
    await until(training, mine.jobId, ['finished']);
    expect(lines(training, mine.jobId)).toEqual(expect.arrayContaining(['1000', 'wrote']));
    expect(fs.statSync(path.join(owned, 'made-by-job')).uid).toBe(1000);

    // A root-owned folder marked writable is handed to the job's user (65534) and written.
    const stage = shared();
    const staged = await training.submit(
      spec({ name: 'stage', command: ['sh', '-c', 'id -u; echo out > /stage/result.txt && echo wrote'], mounts: [{ source: stage, target: '/stage', kind: 'workspace', writable: true }] }),
    );
    await until(training, staged.jobId, ['finished']);
    expect(lines(training, staged.jobId)).toEqual(expect.arrayContaining(['65534', 'wrote']));
    expect(fs.statSync(path.join(stage, 'result.txt')).uid).toBe(65534);

    const root = await training.submit(spec({ name: 'root', command: ['id', '-u'], allowRoot: true }));
    await until(training, root.jobId, ['finished']);
    expect(lines(training, root.jobId)).toContain('0');
    expect(server.running.app.tracking.getRun(root.runId).tags).toMatchObject({ 'orrery.job_user': '0:0', 'orrery.job_user.source': 'root-allowed' });
  });

  it('a spec mounting /, the Docker socket or /etc is refused at submit and no container is created', async () => {
    const training = service();
    for (const [source, reason] of [
      ['/', /^spec\.mounts\[0\]\.source: '\/' is the root of the host's filesystem/],
      ['/var/run/docker.sock', /^spec\.mounts\[0\]\.source: '\/var\/run\/docker\.sock'.* is the Docker engine's socket, which gives root on the host/],
      ['/etc', /^spec\.mounts\[0\]\.source: '\/etc' is \/etc/],
    ] as const) {
      await expect(training.submit(spec({ name: 'evil', command: ['true'], mounts: [{ source, target: '/host', kind: 'workspace' }] }))).rejects.toThrow(reason);
    }
    expect(training.list()).toEqual([]);
  });

  it('a job whose code submits a job mounting / and the Docker socket is refused', async () => {
    const training = service();
    const code = [
      'import json, os, urllib.request, urllib.error',
      'spec = {"name": "escape", "image": "orrery/python:local", "command": ["cat", "/host/etc/shadow"], "allowRoot": True,',
      '        "mounts": [{"source": "/", "target": "/host", "kind": "workspace", "writable": True}, {"source": "/var/run/docker.sock", "target": "/sock", "kind": "workspace"}]}',
      'req = urllib.request.Request(os.environ["MLFLOW_TRACKING_URI"] + "/api/rpc/training.submit", data=json.dumps({"spec": spec}).encode(),',
      '    headers={"Authorization": "Bearer " + os.environ["MLFLOW_TRACKING_TOKEN"], "Content-Type": "application/json"})',
      'try:',
      '    urllib.request.urlopen(req)',
      '    print("SUBMITTED")',
      'except urllib.error.HTTPError as e:',
      '    print("REFUSED", e.code, json.loads(e.read()).get("error", {}).get("message", "")[:200])',
    ].join('\n');
    const job = await training.submit(spec({ name: 'attacker', command: ['python3', '-c', code] }));
    await until(training, job.jobId, ['finished', 'failed']);
    const said = lines(training, job.jobId);
    expect(said.some((l) => l.startsWith('REFUSED ')), JSON.stringify(said)).toBe(true);
    expect(said).not.toContain('SUBMITTED');
    expect(training.list().map((j) => j.name)).toEqual(['attacker']);
  });

  it('containers created but not started when Orrery stopped: one that passes is started (its run says so), one mounting / is removed and its job runs anew, another Orrery\'s is left alone', async () => {
    const examples = shared();
    fs.writeFileSync(path.join(examples, 'job.sh'), 'id -u; echo done > /orrery/outputs/out.txt; echo finished-ok\n');
    const created: string[] = [];
    const first = service(stopsBeforeStart(created));
    const good = await first.submit(spec({ name: 'good', command: ['sh', '/w/job.sh'], mounts: [{ source: examples, target: '/w', kind: 'workspace' }] }));
    const evil = await first.submit(spec({ name: 'evil', command: ['sh', '/w/job.sh'], mounts: [{ source: examples, target: '/w', kind: 'workspace' }] }));
    for (let i = 0; i < 200 && created.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(created).toHaveLength(2);
    first.close(); // Orrery stops: both containers are left in the Created state, both jobs queued
    expect((await docker.getContainer(created[0]!).inspect()).State.Status).toBe('created');
    expect(first.get(good.jobId).status).toBe('queued');

    // The evil one: what an older Orrery left, with / mounted read-write and no user (root).
    const evilContainer = (await containersOf(evil.jobId))[0]!;
    await docker.getContainer(evilContainer.Id).remove({ force: true });
    const planted = await docker.createContainer({
      Image: IMAGE,
      Cmd: ['cat', '/host/etc/shadow'],
      Labels: { [LABEL_MANAGED]: 'true', [LABEL_JOB_ID]: evil.jobId },
      HostConfig: { Binds: ['/:/host'], NetworkMode: 'host' },
    });
    // Another Orrery's (another data dir on the same engine): not ours to touch.
    const foreign = await docker.createContainer({ Image: IMAGE, Cmd: ['true'], Labels: { [LABEL_MANAGED]: 'true', [LABEL_JOB_ID]: 'e'.repeat(32) } });
    try {
      const second = service();
      await second.reattach();

      const goodDone = await until(second, good.jobId, ['finished', 'failed']);
      expect(goodDone.status, JSON.stringify(lines(second, good.jobId))).toBe('finished');
      expect(lines(second, good.jobId)).toEqual(expect.arrayContaining(['finished-ok']));
      expect(lines(second, good.jobId)).not.toContain('0');
      const goodRun = server.running.app.tracking.getRunDetail(good.runId);
      expect(goodRun.tags['orrery.recovery']).toBe('started-after-restart');
      expect(goodRun.tags['orrery.job_user']).toMatch(/^[1-9]\d*:\d+$/);
      const artifacts = await server.rpc<Array<{ path: string }>>('tracking.listArtifacts', { runId: good.runId });
      expect(artifacts.body.result!.map((a) => a.path)).toEqual(['out.txt']);
      // It ran in the container created before the stop: no second one was made for it.
      expect(goodDone).toMatchObject({ status: 'finished' });
      expect(lines(second, good.jobId).some((l) => /created this container but stopped before starting it/.test(l))).toBe(true);

      const evilRun = server.running.app.tracking.getRunDetail(evil.runId);
      expect(evilRun.tags['orrery.recovery']).toBe('removed-after-restart');
      expect(evilRun.tags['orrery.recovery.reason']).toMatch(/'\/'.*root of the host's filesystem|it mounts '\/'/);
      await expect(docker.getContainer(planted.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
      // Its job was still wanted: it ran anew, in a container of its own that passes the policy.
      const evilDone = await until(second, evil.jobId, ['finished', 'failed']);
      expect(evilDone.status, JSON.stringify(lines(second, evil.jobId))).toBe('finished');
      expect(lines(second, evil.jobId)).toContain('finished-ok');

      expect((await docker.getContainer(foreign.id).inspect()).State.Status).toBe('created');
    } finally {
      await docker.getContainer(foreign.id).remove({ force: true }).catch(() => undefined);
      for (const id of created) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
    }
  });

  it('a created container whose job was cancelled meanwhile is removed, and its run says so', async () => {
    const created: string[] = [];
    const first = service(stopsBeforeStart(created));
    const job = await first.submit(spec({ name: 'unwanted', command: ['true'] }));
    for (let i = 0; i < 200 && created.length < 1; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    first.close();
    // Cancelled (from another window, or the command line) before the restart.
    const jobs = new JobRepository(server.store());
    jobs.markEnded(job.jobId, { status: 'cancelled', exitCode: null, reason: 'cancelled before it started', endedAt: Date.now() });
    const second = service();
    await second.reattach();
    expect(await containersOf(job.jobId)).toEqual([]);
    const run = server.running.app.tracking.getRunDetail(job.runId);
    expect(run.tags).toMatchObject({ 'orrery.recovery': 'removed-after-restart', 'orrery.recovery.reason': 'its job is cancelled' });
  });
});
