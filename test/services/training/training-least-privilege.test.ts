import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/contract/training';
import { JobRepository } from '../../../electron/services/training/job-repository';
import { isJobUid } from '../../../electron/services/training/job-user';
import { TrainingService } from '../../../electron/services/training/training-service';
import { tempDir } from '../../helpers/temp-dir';
import { TEST_TOKEN, type TestServer } from '../../helpers/test-server';
import { hostJobSpec, queuePerTest, waitForJob } from '../../helpers/training-queue';

/**
 * Jobs get least privilege, whichever runner: mounts that would hand a job the host are refused at
 * submit and again at launch, and a job never runs as root unless its spec allows it. These run
 * the process runner (no Docker); training-docker-privileges.test.ts runs the same rules in containers.
 */

const isRoot = process.getuid?.() === 0;
let server: TestServer;
let training: TrainingService;

queuePerTest(
  (started, queue) => {
    server = started;
    training = queue;
  },
  () => training,
);

const spec = hostJobSpec('privileges');

const until = (jobId: string, statuses: Job['status'][], timeoutMs = 30_000): Promise<Job> => waitForJob(training, jobId, statuses, timeoutMs);

/** A world-readable folder outside the data dir (tempDir makes 0700 ones). */
function shared(): string {
  const dir = tempDir('orrery-shared-');
  fs.chmodSync(dir, 0o755);
  return dir;
}

const WHO = [
  'import json, os',
  'out = os.environ["ORRERY_OUTPUTS_DIR"]',
  'open(os.path.join(out, "who.json"), "w").write(json.dumps({"uid": os.getuid(), "gid": os.getgid()}))',
  'print("uid", os.getuid(), "token", "ORRERY_TOKEN" in os.environ, "home", os.access(os.environ["HOME"], os.W_OK), flush=True)',
].join('\n');

describe('mounts that would hand a job the host are refused at submit', () => {
  it('/, /etc, the Docker socket, the home folder and the data dir, each naming its field and reason', async () => {
    const refused = async (source: string, index = 0) => {
      const mounts = [...Array.from({ length: index }, () => ({ source: shared(), target: `/ok${Math.random()}`, kind: 'workspace' as const })), { source, target: '/host', kind: 'workspace' as const }];
      const error = await training.submit(spec({ name: 'evil', mounts })).then(
        () => null,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(error, source).not.toBeNull();
      expect(error!.code).toBe('INVALID_INPUT');
      return error!.message;
    };
    expect(await refused('/')).toMatch(/^spec\.mounts\[0\]\.source: '\/' is the root of the host's filesystem/);
    expect(await refused('/etc', 1)).toMatch(/^spec\.mounts\[1\]\.source: '\/etc' is \/etc/);
    expect(await refused('/var/run/docker.sock')).toMatch(/Docker engine's socket/);
    expect(await refused('/var/run')).toMatch(/contains the Docker engine's socket/);
    expect(await refused(process.env.HOME ?? '/root')).toMatch(/home folder itself/);
    expect(await refused(server.dataDir)).toMatch(/is Orrery's data dir/);
    fs.mkdirSync(path.join(server.dataDir, 'jobs'), { recursive: true });
    expect(await refused(path.join(server.dataDir, 'jobs'))).toMatch(/inside Orrery's data dir/);
    const link = path.join(shared(), 'innocent');
    fs.symlinkSync('/', link);
    expect(await refused(link)).toMatch(/which resolves to '\/'\) is the root/);
    // Nothing was queued.
    expect(training.list()).toEqual([]);
  });

  it('a stored spec that no longer passes (saved before the policy, or a link changed since) is refused at launch', async () => {
    const folder = path.join(shared(), 'project');
    fs.mkdirSync(folder);
    const job = await training.submit(spec({ name: 'later', command: ['sleep', '0'], mounts: [{ source: folder, target: '/w', kind: 'workspace' }], priority: -1 }));
    await until(job.jobId, ['finished']);
    // The folder becomes a link to / (or the spec was stored by an older Orrery): retried, it never starts.
    fs.rmSync(folder, { recursive: true });
    fs.symlinkSync('/', folder);
    const jobs = new JobRepository(server.store());
    jobs.insert({
      jobId: 'f'.repeat(32),
      spec: spec({ name: 'stored', mounts: [{ source: folder, target: '/w', kind: 'workspace' }] }),
      experimentId: Number(job.experimentId),
      runId: job.runId,
      attempt: 2,
      now: Date.now(),
      rootJobId: 'f'.repeat(32),
      sweepRunId: null,
      maxParallel: null,
    });
    training.schedule();
    const failed = await until('f'.repeat(32), ['failed']);
    expect(failed.reason).toMatch(/^could not start: spec\.mounts\[0\]\.source: '[^']+project' \(which resolves to '\/'\) is the root/);
  });
});

describe.skipIf(!isRoot)('the process runner drops root', () => {
  it('runs as a uid of its own (reserved range) when Orrery is root and the workspace is root\'s; the run records it; its outputs land; Orrery\'s token is not inherited', async () => {
    const previous = process.env.ORRERY_TOKEN;
    process.env.ORRERY_TOKEN = 'the-full-api-token';
    try {
      const job = await training.submit(spec({ name: 'who', command: ['python3', '-c', WHO], mounts: [{ source: shared(), target: '/w', kind: 'workspace' }] }));
      const done = await until(job.jobId, ['finished', 'failed']);
      expect(done.status, JSON.stringify(training.logs(job.jobId, 20))).toBe('finished');
      const said = training.logs(job.jobId, 20).map((l) => l.line).find((l) => l.startsWith('uid ')) ?? '';
      const uid = Number(/^uid (\d+) token False home True$/.exec(said)?.[1]);
      expect(isJobUid(uid), said).toBe(true);
      const run = server.running.app.tracking.getRunDetail(job.runId);
      expect(run.tags).toMatchObject({ 'orrery.job_user': `${uid}:${uid}`, 'orrery.job_user.source': 'unprivileged' });
      const file = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${job.experimentId}/${job.runId}/artifacts/who.json`, {
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
      });
      expect(await file.json()).toEqual({ uid, gid: uid });
      // The outputs folder Orrery keeps is the job user's, never world-writable.
      const outputs = fs.statSync(path.join(server.dataDir, 'jobs', job.jobId, 'outputs'));
      expect(outputs.mode & 0o777).toBe(0o700);
      expect(outputs.uid).toBe(uid);
    } finally {
      if (previous === undefined) delete process.env.ORRERY_TOKEN;
      else process.env.ORRERY_TOKEN = previous;
    }
  });

  it("runs as the workspace folder's owner when that is not root", async () => {
    const workspace = shared();
    fs.chownSync(workspace, 1234, 2345);
    const job = await training.submit(spec({ name: 'owner', command: ['python3', '-c', WHO], mounts: [{ source: workspace, target: '/w', kind: 'workspace' }] }));
    await until(job.jobId, ['finished']);
    expect(training.logs(job.jobId, 20).map((l) => l.line)).toContain('uid 1234 token False home True');
    expect(server.running.app.tracking.getRun(job.runId).tags).toMatchObject({ 'orrery.job_user': '1234:2345', 'orrery.job_user.source': 'workspace-owner' });
  });

  it('runs as root only with allowRoot', async () => {
    const job = await training.submit(spec({ name: 'root', command: ['python3', '-c', WHO], allowRoot: true }));
    await until(job.jobId, ['finished']);
    expect(training.logs(job.jobId, 20).map((l) => l.line)).toContain('uid 0 token False home True');
    expect(server.running.app.tracking.getRun(job.runId).tags).toMatchObject({ 'orrery.job_user': '0:0', 'orrery.job_user.source': 'root-allowed' });
  });

  it('a job as an unprivileged uid cannot read Orrery\'s data dir (its database and server.json)', async () => {
    const code = `import os, sys\ntry:\n    os.listdir(${JSON.stringify(server.dataDir)})\n    print("read it")\nexcept PermissionError:\n    print("denied")`;
    const job = await training.submit(spec({ name: 'snoop', command: ['python3', '-c', code] }));
    await until(job.jobId, ['finished']);
    expect(training.logs(job.jobId, 20).map((l) => l.line)).toContain('denied');
  });
});
