import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/contract/training';
import { jobSpecSchema, type JobSpecInput } from '../../../shared/contract/training-spec';
import { JOB_UID_BASE, JOB_UID_RANGE } from '../../../electron/services/training/job-user';
import { ProcessLauncher, STAGING_MARKER } from '../../../electron/services/training/process-launcher';
import type { TrainingService } from '../../../electron/services/training/training-service';
import { tempDir } from '../../helpers/temp-dir';
import { TEST_TOKEN, type TestServer } from '../../helpers/test-server';
import { queuePerTest, waitForJob } from '../../helpers/training-queue';

/**
 * A process-runner job that runs as another user (Orrery is root) works in a staging folder in the
 * OS temp dir whose outputs are moved back at exit. The job must not be able to turn that move
 * against root: links, special files, a background process racing the collection, errors.
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

const spec = (input: Partial<JobSpecInput> & { name: string }) => jobSpecSchema.parse({ image: 'host', experiment: 'escape', command: ['true'], ...input });
const until = (jobId: string, statuses: Job['status'][], timeoutMs = 30_000): Promise<Job> => waitForJob(training, jobId, statuses, timeoutMs);
const sh = (script: string) => ['sh', '-c', script];
const lines = (jobId: string) => training.logs(jobId, 200).map((l) => l.line);

async function artifact(job: Job, name: string): Promise<number> {
  const response = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${job.experimentId}/${job.runId}/artifacts/${name}`, {
    headers: { authorization: `Bearer ${TEST_TOKEN}` },
  });
  await response.arrayBuffer();
  return response.status;
}

/** A root-only folder holding a secret, outside the data dir. */
function rootSecret(): { dir: string; file: string } {
  const dir = tempDir('orrery-rootsecret-');
  fs.chmodSync(dir, 0o700);
  const file = path.join(dir, 'secret.txt');
  fs.writeFileSync(file, 'root only', { mode: 0o600 });
  return { dir, file };
}

describe.skipIf(!isRoot)('the process runner collects outputs without following the job', () => {
  it('a job cannot replace its outputs folder with a link to a root-only folder', async () => {
    const secret = rootSecret();
    const job = await training.submit(spec({ name: 'swap', command: sh(`rmdir "$ORRERY_OUTPUTS_DIR" && ln -s ${secret.dir} "$ORRERY_OUTPUTS_DIR"; echo done`) }));
    const done = await until(job.jobId, ['finished', 'failed']);
    expect(done.status).toMatch(/finished|failed/);
    // The secret stays where it was, and is not among the run's artifacts.
    expect(fs.readFileSync(secret.file, 'utf8')).toBe('root only');
    expect(await artifact(done, 'secret.txt')).not.toBe(200);
    expect(fs.existsSync(path.join(server.dataDir, 'jobs', job.jobId, 'outputs', 'secret.txt'))).toBe(false);
  });

  it("a job cannot point its outputs at Orrery's own data dir", async () => {
    const job = await training.submit(spec({ name: 'swap-data', command: sh(`rmdir "$ORRERY_OUTPUTS_DIR" && ln -s ${server.dataDir} "$ORRERY_OUTPUTS_DIR"; echo done`) }));
    await until(job.jobId, ['finished', 'failed']);
    expect(fs.existsSync(path.join(server.dataDir, 'jobs'))).toBe(true);
    expect(fs.readdirSync(path.join(server.dataDir, 'jobs', job.jobId, 'outputs'))).toEqual([]);
  });

  it('links, FIFOs and sockets inside outputs are dropped (with a warning), real files and folders kept', async () => {
    const secret = rootSecret();
    const script = [
      'cd "$ORRERY_OUTPUTS_DIR"',
      'mkdir -p d/e && echo ok > d/e/kept.txt && echo top > top.txt',
      `ln -s ${secret.dir} dirlink && ln -s ${secret.file} d/filelink`,
      'mkfifo fifo',
      'python3 -c "import socket; s = socket.socket(socket.AF_UNIX); s.bind(\'sock\')"',
    ].join(' && ');
    const job = await training.submit(spec({ name: 'links', command: sh(script) }));
    const done = await until(job.jobId, ['finished', 'failed']);
    expect(done.status, JSON.stringify(lines(job.jobId))).toBe('finished');
    const outputs = path.join(server.dataDir, 'jobs', job.jobId, 'outputs');
    expect(fs.readdirSync(outputs).sort()).toEqual(['d', 'top.txt']);
    expect(fs.readdirSync(path.join(outputs, 'd'))).toEqual(['e']);
    expect(await artifact(done, 'd/e/kept.txt')).toBe(200);
    expect(await artifact(done, 'top.txt')).toBe(200);
    expect(fs.readFileSync(secret.file, 'utf8')).toBe('root only');
    const warnings = lines(job.jobId).filter((l) => l.includes('skipped'));
    expect(warnings.join('\n')).toMatch(/dirlink.*symbolic link/);
    expect(warnings.join('\n')).toMatch(/filelink.*symbolic link/);
    expect(warnings.join('\n')).toMatch(/fifo.*FIFO/);
    expect(warnings.join('\n')).toMatch(/sock.*socket/);
    // What was kept is Orrery's now, out of the job user's hands.
    expect(fs.lstatSync(path.join(outputs, 'd', 'e', 'kept.txt')).uid).toBe(0);
  });

  it("a job's background process is killed at exit (it cannot race the collection)", async () => {
    const drop = tempDir('orrery-late-');
    fs.chmodSync(drop, 0o777);
    const late = path.join(drop, 'late');
    const job = await training.submit(spec({ name: 'background', command: sh(`(sleep 1; touch ${late}) >/dev/null 2>&1 & echo started`) }));
    await until(job.jobId, ['finished', 'failed']);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(fs.existsSync(late)).toBe(false);
  });

  it('a job that removes its outputs folder does not take Orrery down; it ends with a status', async () => {
    const job = await training.submit(spec({ name: 'rmdir', command: sh('rmdir "$ORRERY_OUTPUTS_DIR"') }));
    const done = await until(job.jobId, ['finished', 'failed']);
    expect(done.reason).toBeTruthy();
    // Orrery still answers, and runs the next job.
    const next = await training.submit(spec({ name: 'after', command: ['true'] }));
    expect((await until(next.jobId, ['finished', 'failed'])).status).toBe('finished');
  });

  it('an error while moving outputs back is logged and the job still ends (failed, with the reason)', async () => {
    const job = await training.submit(spec({ name: 'broken', command: sh('echo x > "$ORRERY_OUTPUTS_DIR/x.txt"; sleep 1') }));
    await until(job.jobId, ['running']);
    // Orrery's own outputs folder for the job is gone (replaced by a file): the move back fails.
    const outputs = path.join(server.dataDir, 'jobs', job.jobId, 'outputs');
    fs.rmSync(outputs, { recursive: true, force: true });
    fs.writeFileSync(outputs, 'not a folder');
    const done = await until(job.jobId, ['finished', 'failed']);
    expect(done.status).toBe('failed');
    expect(done.reason).toMatch(/outputs could not be collected/);
    expect(lines(job.jobId).join('\n')).toMatch(/outputs could not be collected/);
  });

  it('two concurrent jobs run as different uids of the reserved range, and one cannot read the other\'s environment', async () => {
    const shared = tempDir('orrery-pids-');
    fs.chmodSync(shared, 0o777);
    const a = [
      'import os, time',
      `open(${JSON.stringify(path.join(shared, 'a.pid'))}, "w").write(str(os.getpid()))`,
      'print("uid", os.getuid(), "gid", os.getgid(), flush=True)',
      'time.sleep(4)',
    ].join('\n');
    const b = [
      'import os, time',
      `p = ${JSON.stringify(path.join(shared, 'a.pid'))}`,
      'while not os.path.exists(p): time.sleep(0.05)',
      'time.sleep(0.2)',
      'pid = open(p).read()',
      'print("uid", os.getuid(), "gid", os.getgid(), flush=True)',
      'try:',
      '    data = open("/proc/%s/environ" % pid, "rb").read()',
      '    print("read", b"MLFLOW_TRACKING_TOKEN" in data, flush=True)',
      'except PermissionError:',
      '    print("denied", flush=True)',
    ].join('\n');
    const jobA = await training.submit(spec({ name: 'a', command: ['python3', '-c', a] }));
    const jobB = await training.submit(spec({ name: 'b', command: ['python3', '-c', b] }));
    const doneB = await until(jobB.jobId, ['finished', 'failed']);
    await until(jobA.jobId, ['finished', 'failed']);
    expect(doneB.status, JSON.stringify(lines(jobB.jobId))).toBe('finished');
    expect(lines(jobB.jobId)).toContain('denied');
    const uidOf = (jobId: string) => Number(/^uid (\d+)/.exec(lines(jobId).find((l) => l.startsWith('uid ')) ?? '')?.[1]);
    const uidA = uidOf(jobA.jobId);
    const uidB = uidOf(jobB.jobId);
    expect(uidA).not.toBe(uidB);
    for (const uid of [uidA, uidB]) {
      expect(uid).toBeGreaterThanOrEqual(JOB_UID_BASE);
      expect(uid).toBeLessThan(JOB_UID_BASE + JOB_UID_RANGE);
    }
    expect(lines(jobA.jobId)).toContain(`uid ${uidA} gid ${uidA}`);
    // The run records the uid it really ran as.
    expect(server.running.app.tracking.getRun(jobA.runId).tags).toMatchObject({ 'orrery.job_user': `${uidA}:${uidA}`, 'orrery.job_user.source': 'unprivileged' });
  });
});

describe.skipIf(!isRoot)('staging folders left by a crash', () => {
  it('are removed when a process launcher starts: only root-owned ones with the marker of a process that is gone', () => {
    const make = (marker: string | null, uid = 0) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-job-'));
      fs.mkdirSync(path.join(dir, 'outputs'));
      if (marker !== null) fs.writeFileSync(path.join(dir, STAGING_MARKER), marker);
      fs.chownSync(dir, uid, uid);
      return dir;
    };
    const stale = make(JSON.stringify({ pid: 2 ** 22 + 12345, jobId: 'x' }));
    const alive = make(JSON.stringify({ pid: 1, jobId: 'y' }));
    const unmarked = make(null);
    const foreign = make(JSON.stringify({ pid: 2 ** 22 + 12345, jobId: 'z' }), 1234);
    try {
      new ProcessLauncher();
      expect(fs.existsSync(stale)).toBe(false);
      expect(fs.existsSync(alive)).toBe(true);
      expect(fs.existsSync(unmarked)).toBe(true);
      expect(fs.existsSync(foreign)).toBe(true);
    } finally {
      for (const dir of [stale, alive, unmarked, foreign]) fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
