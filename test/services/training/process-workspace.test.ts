import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/contract/training';
import { jobSpecSchema, type JobSpecInput } from '../../../shared/contract/training-spec';
import type { TrainingService } from '../../../electron/services/training/training-service';
import type { TestServer } from '../../helpers/test-server';
import { queuePerTest, waitForJob } from '../../helpers/training-queue';
import { jobPythonReady } from '../../helpers/requirements';
import { tempDir } from '../../helpers/temp-dir';

/**
 * A job written for a container (workspace at /workspace, `python3 train.py` run in it) works
 * unchanged with the process runner: it runs in the workspace's host folder, container paths in
 * its command are translated, and its log says so.
 */

const examples = path.resolve(import.meta.dirname, '../../../resources/examples');
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

const spec = (input: Partial<JobSpecInput> & { name: string; command: string[] }) => jobSpecSchema.parse({ image: 'host', experiment: 'workspaces', ...input });
const until = (jobId: string, statuses: Job['status'][], timeoutMs = 30_000): Promise<Job> => waitForJob(training, jobId, statuses, timeoutMs);
const orreryLines = (jobId: string) => training.logs(jobId, 200).filter((l) => l.stream === 'orrery').map((l) => l.line);

/** A 0755 folder outside the data dir: a job that drops to its own uid (tests run as root) reads it. */
function sharedDir(): string {
  const dir = tempDir('orrery-shared-');
  fs.chmodSync(dir, 0o755);
  return dir;
}

const script = [
  'import json, os',
  'print("cwd", os.getcwd(), flush=True)',
  'print("workspace", os.environ["ORRERY_WORKSPACE_DIR"], flush=True)',
  'print("ORRERY_METRICS " + json.dumps({"step": 0, "acc": 0.75}), flush=True)',
].join('\n');

describe('process runner with a workspace', () => {
  it('runs `python3 script.py` in the workspace folder, logs its metric, and says where /workspace is', async () => {
    const ws = sharedDir();
    fs.writeFileSync(path.join(ws, 'script.py'), script);
    const job = await training.submit(
      spec({ name: 'relative', command: ['python3', 'script.py'], mounts: [{ source: ws, target: '/workspace', kind: 'workspace' }], workingDir: '/workspace' }),
    );
    const done = await until(job.jobId, ['finished', 'failed']);
    expect(done).toMatchObject({ status: 'finished', runner: 'process' });
    expect(server.running.app.tracking.getRun(job.runId).metrics.acc).toMatchObject({ value: 0.75 });
    const stdout = training.logs(job.jobId, 200).filter((l) => l.stream === 'stdout').map((l) => l.line);
    expect(stdout).toContain(`cwd ${ws}`);
    expect(stdout).toContain(`workspace ${ws}`);
    expect(orreryLines(job.jobId)).toContain(
      `process runner: /workspace is ${ws} (workspace, read-only is not enforced for a plain process); paths starting with it in the command and env are rewritten`,
    );
  });

  it('rewrites `python3 /workspace/sub/script.py` to the host path, and a subfolder working directory too', async () => {
    const ws = sharedDir();
    fs.mkdirSync(path.join(ws, 'sub'), { mode: 0o755 });
    fs.writeFileSync(path.join(ws, 'sub', 'script.py'), script);
    const job = await training.submit(
      spec({
        name: 'absolute',
        command: ['python3', '/workspace/sub/script.py'],
        mounts: [{ source: ws, target: '/workspace', kind: 'workspace' }],
        workingDir: '/workspace/sub',
      }),
    );
    expect(await until(job.jobId, ['finished', 'failed'])).toMatchObject({ status: 'finished' });
    expect(training.logs(job.jobId, 200).map((l) => l.line)).toContain(`cwd ${path.join(ws, 'sub')}`);
    expect(server.running.app.tracking.getRun(job.runId).metrics.acc).toMatchObject({ value: 0.75 });
  });

  it("the README's digits command runs as written: the script is found at its host path and finishes", async (ctx) => {
    const probe = await training.submit(spec({ name: 'probe', command: ['python3', '-c', 'import sklearn'] }));
    const probed = await until(probe.jobId, ['finished', 'failed']);
    const missing = probed.status === 'finished' ? null : training.logs(probe.jobId, 5).map((l) => l.line).join(' ') || String(probed.reason);
    if (!jobPythonReady('sklearn', missing)) return ctx.skip();
    const job = await training.submit(
      spec({
        name: 'digits',
        command: ['python3', '/workspace/examples/digits_sgd.py'],
        mounts: [{ source: examples, target: '/workspace/examples', kind: 'workspace' }],
        hyperparameters: { epochs: 2 },
      }),
    );
    const done = await until(job.jobId, ['finished', 'failed'], 60_000);
    const lines = training.logs(job.jobId, 500).map((l) => l.line);
    expect(done, lines.join('\n')).toMatchObject({ status: 'finished' });
    expect(lines).toContain(`process runner: /workspace/examples is ${examples} (workspace, read-only is not enforced for a plain process); paths starting with it in the command and env are rewritten`);
    expect(server.running.app.tracking.getRun(job.runId).metrics.val_loss).toMatchObject({ step: 1 });
  });

  it.skipIf(!isRoot)('a workspace the job user cannot enter fails before it starts, naming the folder', async () => {
    const ws = tempDir('orrery-private-');
    fs.writeFileSync(path.join(ws, 'script.py'), script);
    const job = await training.submit(
      spec({ name: 'private', command: ['python3', 'script.py'], mounts: [{ source: ws, target: '/workspace', kind: 'workspace' }], workingDir: '/workspace' }),
    );
    const done = await until(job.jobId, ['failed']);
    expect(done.reason).toMatch(new RegExp(`^could not start: spec\\.mounts\\[0\\]\\.source: the job runs as uid \\d+, which cannot reach ${ws}: ${ws} is mode 0700`));
  });

  it.skipIf(!isRoot)('a dataset the job user cannot read is only a warning in its log', async () => {
    const ws = sharedDir();
    fs.writeFileSync(path.join(ws, 'script.py'), script);
    const data = tempDir('orrery-private-data-');
    const job = await training.submit(
      spec({
        name: 'private-data',
        command: ['python3', 'script.py'],
        mounts: [
          { source: ws, target: '/workspace', kind: 'workspace' },
          { source: data, target: '/data', kind: 'dataset' },
        ],
        workingDir: '/workspace',
      }),
    );
    expect(await until(job.jobId, ['finished', 'failed'])).toMatchObject({ status: 'finished' });
    const uid = server.running.app.tracking.getRun(job.runId).tags['orrery.job_user']?.split(':')[0];
    expect(orreryLines(job.jobId)).toContain(
      `process runner: the job runs as uid ${uid}, which cannot read dataset ${data}: ${data} is mode 0700, owner 0:0, so uid ${uid} cannot enter and list it`,
    );
  });
});
