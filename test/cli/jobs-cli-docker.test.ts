import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail } from '../../shared/contract/tracking';
import { SWEEP_TAG, type Job } from '../../shared/contract/training';
import { dockerAvailable } from '../helpers/requirements';
import { orrery } from '../helpers/run-orrery';
import { startServingServer, type ServingServer } from '../helpers/serving-server';

/**
 * `orrery jobs` end to end: the built command line against the built app (its own process) whose
 * jobs run as real containers in orrery/python:local, with a workspace folder holding the script.
 * Five containers in all: a job followed to its end, its re-run that fails, one cancelled, and a
 * job retried once (two attempts).
 */
const IMAGE = 'orrery/python:local';
const ready = await (async () => {
  if (!(await dockerAvailable())) return false;
  if (spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status === 0) return true;
  if (process.env.ORRERY_REQUIRE_DOCKER === '1') throw new Error(`ORRERY_REQUIRE_DOCKER=1 but ${IMAGE} does not exist: run npm run images`);
  console.warn(`\n*** SKIPPING orrery jobs tests: ${IMAGE} does not exist (npm run images builds it). ***\n`);
  return false;
})();

/** Reads its params, says where it runs, logs a loss per epoch, and exits with the code it is given. */
const TRAIN_PY = `import json, os, sys, time
params = json.loads(os.environ["ORRERY_PARAMS"])
print("cwd", os.getcwd(), flush=True)
print("greeting", os.environ.get("GREETING"), flush=True)
time.sleep(float(params.get("pause", 0)))
for step in range(int(params["epochs"])):
    print("ORRERY_METRICS " + json.dumps({"step": step, "loss": float(params["lr"]) / (step + 1)}), flush=True)
    print("epoch", step, flush=True)
    time.sleep(0.1)
code = int(params.get("exit_code", 0))
if code:
    print("giving up with", code, file=sys.stderr, flush=True)
sys.exit(code)
`;

const SMALL = ['--cpus', '0.5', '--memory-gb', '0.5'];

/** The job containers that mount `folder` (so another test's jobs on this engine do not count). */
function jobContainers(folder: string): string[] {
  return execFileSync('docker', ['ps', '-a', '-q', '--filter', 'label=dev.orrery.job-id', '--filter', `volume=${folder}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe.skipIf(!ready)('orrery jobs against a running Orrery and real containers', () => {
  let server: ServingServer;
  let dir: string[];
  let root: string;
  let work: string;

  beforeAll(async () => {
    // Kept for the whole file (tempDir() folders go after each test; the server lives across them).
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-jobs-cli-'));
    const dataDir = path.join(root, 'data');
    fs.mkdirSync(dataDir);
    server = await startServingServer(dataDir);
    dir = ['--data-dir', dataDir];
    // The job runs as nobody when the folder's owner is root (CI): it must be able to read it.
    work = path.join(root, 'work');
    fs.chmodSync(root, 0o755);
    fs.mkdirSync(work, { mode: 0o755 });
    fs.mkdirSync(path.join(work, 'project'), { mode: 0o755 });
    fs.writeFileSync(path.join(work, 'project', 'train.py'), TRAIN_PY, { mode: 0o644 });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }, 60_000);

  const run = (runId: string) => server.call<RunDetail>('tracking.getRun', { runId });

  it('submit from the caller\'s folder, logs --follow to the end, wait 0, list, logs; --from with a param changed, wait 3', async () => {
    const submitted = await orrery(
      ['jobs', 'submit', '--image', IMAGE, ...SMALL, '--workspace', 'project', '--experiment', 'cli-jobs', '--param', 'lr=0.5', '--param', 'epochs=3', '--param', 'pause=4', '--env', 'GREETING=hello', ...dir, '--', 'python3', 'train.py'],
      { cwd: work },
    );
    expect(submitted.stderr).toBe('');
    expect(submitted.code).toBe(0);
    const [, jobId, runId] = /^Queued train in experiment cli-jobs\njob ([0-9a-f]{32})\nrun ([0-9a-f]{32})\n$/.exec(submitted.stdout) ?? [];
    expect(jobId, submitted.stdout).toBeDefined();

    // Followed by its run id while it runs: every line once, in order, then it exits on its own.
    const followed = await orrery(['jobs', 'logs', runId!, '--follow', ...dir]);
    expect(followed.code).toBe(0);
    expect(followed.stderr).toBe('');
    const own = followed.stdout.split('\n').filter((line) => /^(cwd|greeting|epoch) /.test(line));
    expect(own).toEqual(['cwd /workspace', 'greeting hello', 'epoch 0', 'epoch 1', 'epoch 2']);

    const waited = await orrery(['jobs', 'wait', jobId!, ...dir]);
    expect(waited).toMatchObject({ code: 0, stderr: '' });
    expect(waited.stdout).toMatch(new RegExp(`^Job train \\(${jobId}\\) finished after 0:0\\d; run ${runId}\\n$`));
    const first = await run(runId!);
    expect(first).toMatchObject({ status: 'FINISHED', params: { lr: '0.5', epochs: '3', pause: '4' } });
    expect(first.metrics.loss).toMatchObject({ value: 0.5 / 3, step: 2 });

    const tail = await orrery(['jobs', 'logs', jobId!, '--tail', '1', ...dir]);
    expect(tail).toEqual({ code: 0, stdout: expect.stringMatching(/^[^\n]+\n$/) as string, stderr: '' });
    const asJson = JSON.parse((await orrery(['jobs', 'logs', jobId!, '--json', ...dir])).stdout) as Array<{ line: string; runId: string }>;
    expect(asJson.filter((l) => l.line.startsWith('epoch ')).map((l) => l.line)).toEqual(['epoch 0', 'epoch 1', 'epoch 2']);

    // A re-run with a param changed and one added: tagged with where it came from, failing on purpose.
    const rerun = await orrery(['jobs', 'submit', '--from', runId!, '--param', 'epochs=1', '--param', 'exit_code=3', '--param', 'pause=0', '--json', ...dir]);
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    const second = JSON.parse(rerun.stdout) as Job;
    expect(second.spec).toMatchObject({ name: 'train', image: IMAGE, command: ['python3', 'train.py'], workingDir: '/workspace', hyperparameters: { lr: 0.5, epochs: 1, exit_code: 3, pause: 0 } });
    const failed = await orrery(['jobs', 'wait', second.runId, ...dir]);
    expect(failed).toEqual({ code: 3, stdout: '', stderr: `orrery: job train (${second.jobId}) failed: exited with code 3\n` });
    const secondRun = await run(second.runId);
    expect(secondRun).toMatchObject({ status: 'FAILED', params: { lr: '0.5', epochs: '1', exit_code: '3' }, tags: { 'orrery.rerun-of': runId } });
    expect(secondRun.metrics.loss).toMatchObject({ value: 0.5, step: 0 });

    const list = await orrery(['jobs', 'list', ...dir]);
    expect(list.code).toBe(0);
    const rows = list.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^JOB +NAME +STATUS +RUN +STARTED +DURATION +HOW IT ENDED$/);
    expect(rows.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^${second.jobId}  train  failed  +${second.runId}  \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z  0:0\\d  +exited with code 3$`)),
      expect.stringMatching(new RegExp(`^${jobId}  train  finished  ${runId}  \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z  0:0\\d  +exited with code 0$`)),
    ]);
    const onlyFailed = JSON.parse((await orrery(['jobs', 'list', '--status', 'failed', '--json', ...dir])).stdout) as Job[];
    expect(onlyFailed.map((j) => j.jobId)).toEqual([second.jobId]);
  }, 300_000);

  it('cancel a running job by its id; wait then says how it ended, exit 3; cancelling it again is refused', async () => {
    const submitted = await orrery(['jobs', 'submit', '--image', IMAGE, ...SMALL, '--name', 'sleeper', '--workspace', path.join(work, 'project'), '--param', 'lr=1', '--param', 'epochs=1', '--param', 'pause=120', '--json', ...dir, '--', 'python3', 'train.py']);
    expect(submitted.code).toBe(0);
    const job = JSON.parse(submitted.stdout) as Job;
    const waiting = orrery(['jobs', 'wait', job.jobId, ...dir]);
    for (let i = 0; i < 300 && (await server.call<Job>('training.getJob', { jobId: job.jobId })).status !== 'running'; i++) await new Promise((r) => setTimeout(r, 100));
    const cancelled = await orrery(['jobs', 'cancel', job.runId, ...dir]);
    expect(cancelled).toEqual({ code: 0, stdout: `Cancelled job sleeper (${job.jobId}): cancelled by the user\n`, stderr: '' });
    expect(await waiting).toEqual({ code: 3, stdout: '', stderr: `orrery: job sleeper (${job.jobId}) cancelled: cancelled by the user\n` });
    expect((await run(job.runId)).status).toBe('KILLED');
    const again = await orrery(['jobs', 'cancel', job.jobId, ...dir]);
    expect(again).toEqual({ code: 1, stdout: '', stderr: `orrery: Job ${job.jobId} has already been cancelled.\n` });
  }, 120_000);

  it('with --retries 1, a first attempt that fails is followed by wait and logs --follow into the second, whose end is the outcome', async () => {
    // Fails the first time, leaving a marker in its writable workspace; the retry finds it and succeeds.
    const flaky = path.join(root, 'flaky');
    fs.mkdirSync(flaky, { mode: 0o777 });
    fs.chmodSync(flaky, 0o777);
    fs.writeFileSync(
      path.join(flaky, 'flaky.py'),
      'import os, sys\nif os.path.exists("tried"):\n    print("second try", flush=True)\n    sys.exit(0)\nopen("tried", "w").write("1")\nprint("first try", flush=True)\nsys.exit(4)\n',
      { mode: 0o644 },
    );
    const submitted = await orrery(['jobs', 'submit', '--image', IMAGE, ...SMALL, '--workspace', flaky, '--writable', '--retries', '1', '--json', ...dir, '--', 'python3', 'flaky.py']);
    expect(submitted.code).toBe(0);
    const first = JSON.parse(submitted.stdout) as Job;
    const waited = await orrery(['jobs', 'wait', first.jobId, ...dir]);
    const [, secondId] = /^orrery: attempt 1 failed \(exited with code 4\); following attempt 2 \(job ([0-9a-f]{32})\)\n$/.exec(waited.stderr) ?? [];
    expect(secondId, waited.stderr).toBeDefined();
    expect(waited.code).toBe(0);
    expect(waited.stdout).toMatch(new RegExp(`^Job flaky \\(${secondId}\\) finished after 0:0\\d; run [0-9a-f]{32}\\n$`));
    const second = await server.call<Job>('training.getJob', { jobId: secondId! });
    expect((await run(second.runId)).tags).toMatchObject({ 'orrery.retry-of': first.runId, 'orrery.attempt': '2' });

    const followed = await orrery(['jobs', 'logs', first.runId, '--follow', ...dir]);
    expect(followed.code).toBe(0);
    expect(followed.stdout.split('\n').filter((line) => line.endsWith(' try'))).toEqual(['first try', 'second try']);
    expect(followed.stderr).toBe(`orrery: attempt 1 failed (exited with code 4); following attempt 2 (job ${secondId})\n`);
  }, 120_000);

  it('a refused submit exits 1 with the reason and leaves no job and no container: a GPU here, an unknown image, too many CPUs, a missing workspace', async () => {
    const containers = jobContainers(path.join(work, 'project'));
    const jobsBefore = await server.call<Job[]>('training.listJobs', {});
    const submit = (...options: string[]) => orrery(['jobs', 'submit', ...options, ...dir, '--', 'python3', 'train.py'], { cwd: work });

    const gpu = await submit('--image', IMAGE, '--workspace', 'project', '--gpus', '1');
    expect(gpu.code).toBe(1);
    expect(gpu.stdout).toBe('');
    expect(gpu.stderr).toBe('orrery: --gpus: asks for 1 GPU but this machine has no NVIDIA GPU\n');
    const image = await submit('--image', 'orrery/no-such-image:local', '--workspace', 'project');
    expect(image.code).toBe(1);
    expect(image.stderr).toMatch(/^orrery: --image: 'orrery\/no-such-image:local' is not a local image\. Local images: .*orrery\/python:local.*\n$/);
    const cpus = await submit('--image', IMAGE, '--workspace', 'project', '--cpus', '1000');
    expect(cpus.code).toBe(1);
    expect(cpus.stderr).toMatch(/^orrery: --cpus: 1000 CPUs asked, the machine has \d+ CPU threads?\n$/);
    const missing = await submit('--image', IMAGE, '--workspace', 'no-such-folder');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(new RegExp(`^orrery: --workspace: .*${path.join(work, 'no-such-folder')}.*\\n$`));

    // Containers of the jobs before may have been removed since, but none is new.
    expect(jobContainers(path.join(work, 'project')).filter((id) => !containers.includes(id))).toEqual([]);
    expect(await server.call<Job[]>('training.listJobs', {})).toEqual(jobsBefore);
  }, 120_000);

  it('an unknown id is exit 1 for wait, logs and cancel; --from a run no job made says so, and a sweep parent points to its trials', async () => {
    const ghost = 'f'.repeat(32);
    const notFound = `orrery: No job with id ${ghost}, and no job made a run with that id.\n`;
    for (const sub of ['wait', 'logs', 'cancel']) expect(await orrery(['jobs', sub, ghost, ...dir])).toEqual({ code: 1, stdout: '', stderr: notFound });
    expect(await orrery(['jobs', 'logs', ghost, '--follow', ...dir])).toEqual({ code: 1, stdout: '', stderr: notFound });

    const created = await fetch(`${server.url}/api/2.0/mlflow/runs/create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ experiment_id: '0', run_name: 'by-hand' }),
    });
    const handRun = ((await created.json()) as { run: { info: { run_id: string } } }).run.info.run_id;
    const from = await orrery(['jobs', 'submit', '--from', handRun, ...dir]);
    expect(from).toEqual({
      code: 1,
      stdout: '',
      stderr: `orrery: --from: run ${handRun} (by-hand) was not made by an Orrery job, so there is no job spec to re-run; submit it with --image I … -- CMD instead.\n`,
    });
    expect(await orrery(['jobs', 'submit', '--from', ghost, ...dir])).toEqual({ code: 1, stdout: '', stderr: `orrery: --from: no run or job with id ${ghost}.\n` });

    // A sweep's parent run (tagged as Orrery tags it) is Orrery's, but only its trials are jobs.
    const parent = await fetch(`${server.url}/api/2.0/mlflow/runs/create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ experiment_id: '0', run_name: 'lr-search (sweep)', tags: [{ key: SWEEP_TAG, value: 'true' }] }),
    });
    const parentRun = ((await parent.json()) as { run: { info: { run_id: string } } }).run.info.run_id;
    for (const sub of ['wait', 'logs', 'cancel']) {
      expect(await orrery(['jobs', sub, parentRun, ...dir])).toEqual({
        code: 1,
        stdout: '',
        stderr: `orrery: ID: ${parentRun} is the parent run of the sweep lr-search (sweep); it only groups the trials and has no job of its own. Run orrery jobs ${sub} with a trial's job id instead. See its trials with orrery jobs list or on the run's page.\n`,
      });
    }
    expect(await orrery(['jobs', 'submit', '--from', parentRun, ...dir])).toEqual({
      code: 1,
      stdout: '',
      stderr: `orrery: --from: run ${parentRun} (lr-search (sweep)) is the parent run of a sweep; it has no job spec of its own. Re-run one of its trials (see orrery jobs list or the run's page), or submit the sweep again.\n`,
    });
  }, 120_000);

  it('--runner process runs the job on this machine as a plain process though the engine answers: in its workspace folder, its metrics in its run, no container', async () => {
    const submitted = await orrery(
      ['jobs', 'submit', '--image', IMAGE, '--runner', 'process', '--workspace', 'project', '--name', 'on-host', '--param', 'lr=1', '--param', 'epochs=2', '--json', ...dir, '--', 'python3', 'train.py'],
      { cwd: work },
    );
    expect(submitted.stderr).toBe('');
    expect(submitted.code).toBe(0);
    const job = JSON.parse(submitted.stdout) as Job;
    expect(job.spec.runner).toBe('process');
    expect(await orrery(['jobs', 'wait', job.jobId, ...dir])).toMatchObject({ code: 0, stderr: '' });
    expect(await server.call<Job>('training.getJob', { jobId: job.jobId })).toMatchObject({ status: 'finished', runner: 'process' });
    // The container path of the working directory became the workspace's host folder.
    const logs = await orrery(['jobs', 'logs', job.jobId, ...dir]);
    expect(logs.stdout.split('\n')).toContain(`cwd ${path.join(work, 'project')}`);
    const detail = await run(job.runId);
    expect(detail.tags['orrery.runner']).toBe('process');
    expect(detail.metrics.loss).toMatchObject({ value: 0.5, step: 1 });
    expect(execFileSync('docker', ['ps', '-a', '-q', '--filter', `label=dev.orrery.job-id=${job.jobId}`], { encoding: 'utf8' }).trim()).toBe('');
  }, 120_000);
});
