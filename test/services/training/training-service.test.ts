import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/contract/training';
import { jobSpecSchema, type JobSpecInput } from '../../../shared/contract/training-spec';
import { parseNvidiaSmiXml } from '../../../electron/services/hardware/nvidia-smi-xml';
import { TrainingService } from '../../../electron/services/training/training-service';
import { startTestServer, type TestServer } from '../../helpers/test-server';
import { trainingQueue, waitForJob } from '../../helpers/training-queue';
import { tempDir } from '../../helpers/temp-dir';

const examples = path.resolve(import.meta.dirname, '../../../resources/examples');
const a5000 = parseNvidiaSmiXml(fs.readFileSync(path.resolve(import.meta.dirname, '../../fixtures/hardware/nvidia-smi-q-x-2xRTX-A5000-driver590.xml'), 'utf8'));

let server: TestServer;
let training: TrainingService;

beforeEach(async () => {
  server = await startTestServer();
  const app = server.running.app;
  // The app's own queue shares the table; let it finish starting before this one works beside it.
  await app.training;
  training = queueService();
});

/** The real queue and process runner, with the GPUs of a captured two-GPU machine. */
function queueService(): TrainingService {
  return trainingQueue(server, { gpus: a5000.gpus, systemMetricsIntervalMs: 200 });
}
afterEach(async () => {
  training.close();
  await server.close();
});

const spec = (input: Partial<JobSpecInput> & { name: string; command: string[] }) => jobSpecSchema.parse({ image: 'host', experiment: 'jobs', ...input });

/**
 * A folder outside the data dir that every user can read: when the tests run as root the job drops
 * to an unprivileged uid, which must still read its script (tempDir makes 0700 folders).
 */
function sharedDir(): string {
  const dir = tempDir('orrery-shared-');
  fs.chmodSync(dir, 0o755);
  return dir;
}

const until = (jobId: string, statuses: Job['status'][], timeoutMs = 30_000): Promise<Job> => waitForJob(training, jobId, statuses, timeoutMs);

describe('training jobs as plain processes', () => {
  it('runs a script: its metrics (REST and stdout lines) land in the run, outputs become artifacts, exit 0 is FINISHED', async () => {
    const script = path.join(sharedDir(), 'job.py');
    fs.writeFileSync(
      script,
      [
        'import json, os, runpy, sys',
        'for s in range(3): print("ORRERY_METRICS " + json.dumps({"step": s, "acc": s / 10}), flush=True)',
        `runpy.run_path(${JSON.stringify(path.join(examples, 'rest_logger.py'))})`,
        'out = os.environ["ORRERY_OUTPUTS_DIR"]',
        'open(os.path.join(out, "model.txt"), "w").write("weights")',
        'print(json.load(open(os.environ["ORRERY_PARAMS_FILE"]))["steps"], file=sys.stderr)',
      ].join('\n'),
    );
    const job = await training.submit(spec({ name: 'rest', command: ['python3', script], hyperparameters: { steps: 5, lr: 0.1 } }));
    const done = await until(job.jobId, ['finished', 'failed']);
    expect(done).toMatchObject({ status: 'finished', exitCode: 0, runner: 'process', reason: 'exited with code 0' });

    const run = server.running.app.tracking.getRunDetail(job.runId);
    expect(run.status).toBe('FINISHED');
    expect(run.params).toMatchObject({ steps: '5', lr: '0.1', script: 'rest_logger' });
    expect(run.metrics.loss).toMatchObject({ step: 4, value: 0.2 });
    expect(run.metrics.acc).toMatchObject({ step: 2, value: 0.2 });
    expect(run.tags).toMatchObject({ 'orrery.job-id': job.jobId, 'orrery.runner': 'process', 'orrery.end_reason': 'exited with code 0' });
    const artifacts = await server.rpc<Array<{ path: string }>>('tracking.listArtifacts', { runId: job.runId });
    expect(artifacts.body.result).toEqual([{ path: 'model.txt', isDir: false, size: 7 }]);
    const log = training.logs(job.jobId, 100);
    expect(log.some((l) => l.stream === 'stdout' && l.line === 'step 4 loss 0.2000')).toBe(true);
    expect(log.some((l) => l.stream === 'stderr' && l.line === '5')).toBe(true);
    expect(training.logs(job.jobId, 100, 'loss 0.25').map((l) => l.line)).toEqual(['step 3 loss 0.2500']);
  });

  it('a non-zero exit is FAILED with the code; a missing program is refused with the reason', async () => {
    const failing = await training.submit(spec({ name: 'fail', command: ['python3', '-c', 'import sys; sys.exit(3)'] }));
    expect(await until(failing.jobId, ['failed'])).toMatchObject({ exitCode: 3, reason: 'exited with code 3' });
    expect(server.running.app.tracking.getRun(failing.runId).status).toBe('FAILED');
    const missing = await training.submit(spec({ name: 'missing', command: ['definitely-not-a-program-xyz'] }));
    const ended = await until(missing.jobId, ['failed']);
    expect(ended.reason).toMatch(/could not start 'definitely-not-a-program-xyz'/);
  });

  it('early stopping stops a script whose metric plateaus', async () => {
    const job = await training.submit(
      spec({
        name: 'plateau',
        command: ['python3', path.join(examples, 'rest_logger.py')],
        hyperparameters: { steps: 400, plateau_after: 3, sleep: 0.02 },
        earlyStopping: { metric: 'loss', mode: 'min', patience: 4 },
      }),
    );
    const done = await until(job.jobId, ['finished', 'failed']);
    expect(done.status).toBe('finished');
    expect(done.reason).toMatch(/^early stopping: loss has not improved for 4 evaluations/);
    const run = server.running.app.tracking.getRun(job.runId);
    expect(run.status).toBe('FINISHED');
    expect(run.metrics.loss!.step).toBeLessThan(50);
  });

  it('a timeout kills the job and says so', async () => {
    const job = await training.submit(spec({ name: 'slow', command: ['python3', '-c', 'import time; time.sleep(60)'], maxRuntimeSeconds: 1 }));
    const done = await until(job.jobId, ['failed']);
    expect(done.reason).toBe('stopped: it ran past its time limit of 1 s');
    expect(server.running.app.tracking.getRun(job.runId).status).toBe('KILLED');
  });

  it('two jobs asking for the same GPU run one after the other; cancel works queued and running', async () => {
    const code = 'import os, time; print("gpu", os.environ["CUDA_VISIBLE_DEVICES"], flush=True); time.sleep(0.6)';
    const first = await training.submit(spec({ name: 'a', command: ['python3', '-c', code], resources: { gpus: [1] } }));
    const second = await training.submit(spec({ name: 'b', command: ['python3', '-c', code], resources: { gpus: [1] } }));
    const third = await training.submit(spec({ name: 'c', command: ['python3', '-c', code], resources: { gpus: [1] } }));
    expect(training.get(second.jobId)).toMatchObject({ status: 'queued', queuePosition: 1 });
    await training.cancel(third.jobId);
    expect(training.get(third.jobId).status).toBe('cancelled');
    const a = await until(first.jobId, ['finished']);
    const b = await until(second.jobId, ['finished']);
    expect(b.startedAt!).toBeGreaterThanOrEqual(a.endedAt!);
    expect(training.logs(first.jobId, 10).some((l) => l.line === 'gpu 1')).toBe(true);
    expect(a.gpuIndices).toEqual([1]);

    const long = await training.submit(spec({ name: 'long', command: ['python3', '-c', 'import time; time.sleep(60)'] }));
    await until(long.jobId, ['running']);
    await training.cancel(long.jobId);
    expect(await until(long.jobId, ['cancelled'])).toMatchObject({ reason: 'cancelled by the user' });
    expect(server.running.app.tracking.getRun(long.runId).status).toBe('KILLED');
  });

  it('the queue survives a restart: a queued job starts under the next Orrery', async () => {
    const code = 'import time; time.sleep(0.4)';
    const running = await training.submit(spec({ name: 'first', command: ['python3', '-c', code], resources: { gpus: [0] } }));
    const waiting = await training.submit(spec({ name: 'second', command: ['python3', '-c', code], resources: { gpus: [0] } }));
    await until(running.jobId, ['running']);
    training.close();
    training = queueService();
    await training.reattach();
    // A plain process cannot be followed again, so the first is recorded as lost; the second runs.
    expect(training.get(running.jobId)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/Orrery was closed while it ran/) });
    expect(await until(waiting.jobId, ['finished'])).toMatchObject({ exitCode: 0 });
  });

  it('refuses at submit a job that can never fit, with the reason', async () => {
    await expect(training.submit(spec({ name: 'big', command: ['true'], resources: { gpus: 4 } }))).rejects.toThrow(/asks for 4 GPUs but this machine has 2/);
    await expect(training.submit(spec({ name: 'mem', command: ['true'], resources: { memoryGb: 64 } }))).rejects.toThrow(/memoryGb/);
  });

  it('a failed job with retries runs again as a new attempt', async () => {
    const job = await training.submit(spec({ name: 'flaky', command: ['python3', '-c', 'import sys; sys.exit(1)'], retries: 1 }));
    await until(job.jobId, ['failed']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const attempts = training.list().filter((j) => j.spec.name === 'flaky');
    expect(attempts.map((j) => j.attempt).sort()).toEqual([1, 2]);
  });

  it('a job is found by its run id too; a re-run is tagged with the run it came from', async () => {
    const first = await training.submit(spec({ name: 'origin', command: ['python3', '-c', 'print("hello from origin")'], hyperparameters: { lr: 0.1 } }));
    await until(first.jobId, ['finished']);
    expect(training.get(first.runId).jobId).toBe(first.jobId);
    expect(training.logs(first.runId, 10).map((l) => l.line)).toContain('hello from origin');
    await expect(training.cancel(first.runId)).rejects.toThrow(/already finished/);

    const again = await training.submit({ ...first.spec, hyperparameters: { lr: 0.2 } }, first.runId);
    await until(again.jobId, ['finished']);
    const run = server.running.app.tracking.getRunDetail(again.runId);
    expect(run.tags['orrery.rerun-of']).toBe(first.runId);
    expect(run.params.lr).toBe('0.2');
    await expect(training.submit(first.spec, 'f'.repeat(32))).rejects.toThrow(/fromRunId: no run with id f{32}/);
    expect(() => training.get('e'.repeat(32))).toThrow(/No job with id e{32}/);
  });

  it('checks a host path as a job would mount it: missing, relative and refused paths name the source', () => {
    const dir = sharedDir();
    fs.writeFileSync(path.join(dir, 'data.csv'), 'a\n1\n');
    expect(training.checkHostPath(dir, 'workspace')).toEqual({ resolved: fs.realpathSync(dir), kind: 'folder' });
    expect(training.checkHostPath(path.join(dir, 'data.csv'), 'dataset')).toMatchObject({ kind: 'file' });
    expect(() => training.checkHostPath(path.join(dir, 'nope'), 'dataset')).toThrow(/^source: '.*nope' does not exist/);
    expect(() => training.checkHostPath(path.join(dir, 'data.csv'), 'workspace')).toThrow(/^source: .* is a file; a workspace must be a folder/);
    expect(() => training.checkHostPath('relative/dir', 'workspace')).toThrow(/^source: must be an absolute host path/);
    expect(() => training.checkHostPath('/etc', 'workspace')).toThrow(/^source: .*\/etc/);
  });
});

describe('sweeps, datasets and checkpoints', () => {
  it('a grid sweep runs each trial as a child run, at most maxParallel at once, and the parent shows the best', async () => {
    const code = 'import json, os, time; p = json.loads(os.environ["ORRERY_PARAMS"]); time.sleep(0.3); print("ORRERY_METRICS " + json.dumps({"step": 0, "score": p["lr"] * p["depth"]}), flush=True)';
    const submitted = await training.submitSweep(spec({ name: 'grid', command: ['python3', '-c', code] }), {
      strategy: 'grid',
      space: { lr: { values: [0.1, 0.3] }, depth: { min: 1, max: 3, step: 1, integer: true } },
      maxTrials: 20,
      maxParallel: 2,
      objective: { metric: 'score', mode: 'max' },
    });
    expect(submitted.jobs).toHaveLength(6);
    let peak = 0;
    for (;;) {
      const trials = training.list().filter((j) => submitted.jobs.some((s) => s.jobId === j.jobId));
      peak = Math.max(peak, trials.filter((t) => t.status === 'running').length);
      if (trials.every((t) => t.status === 'finished' || t.status === 'failed')) break;
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    expect(peak).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const parent = server.running.app.tracking.getRun(submitted.parentRunId);
    expect(parent.status).toBe('FINISHED');
    expect(Number(parent.tags['orrery.sweep.best_value'])).toBeCloseTo(0.9);
    const best = server.running.app.tracking.getRun(parent.tags['orrery.sweep.best_run_id']!);
    expect(best.params).toMatchObject({ lr: '0.3', depth: '3' });
    expect(best.parentRunId).toBe(submitted.parentRunId);
  });

  it('a malformed sweep space is refused with the parameter named', async () => {
    await expect(
      training.submitSweep(spec({ name: 'bad', command: ['true'] }), {
        strategy: 'grid',
        space: { lr: { logUniform: { min: 1e-4, max: 1e-1 } } },
        maxTrials: 5,
        maxParallel: 1,
        objective: { metric: 'x', mode: 'min' },
      }),
    ).rejects.toThrow(/sweep\.space\.lr/);
  });

  it('dataset mounts are hashed and recorded as run inputs; a missing one is refused', async () => {
    const data = path.join(sharedDir(), 'digits-data');
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'train.csv'), 'a,b\n1,2\n');
    const job = await training.submit(spec({ name: 'data', command: ['true'], mounts: [{ source: data, target: '/data' }] }));
    await until(job.jobId, ['finished']);
    const inputs = server.running.app.tracking.getRunDetail(job.runId).inputs;
    expect(inputs).toEqual([expect.objectContaining({ name: 'digits-data', sourceType: 'local', digest: expect.stringMatching(/^[0-9a-f]{36}$/) })]);
    fs.appendFileSync(path.join(data, 'train.csv'), '3,4\n');
    const again = await training.submit(spec({ name: 'data2', command: ['true'], mounts: [{ source: data, target: '/data' }] }));
    await until(again.jobId, ['finished']);
    expect(server.running.app.tracking.getRunDetail(again.runId).inputs[0]!.digest).not.toBe(inputs[0]!.digest);
    await expect(training.submit(spec({ name: 'nodata', command: ['true'], mounts: [{ source: '/no/such/folder', target: '/data' }] }))).rejects.toThrow(
      "spec.mounts[0].source: '/no/such/folder' does not exist.",
    );
  });

  it('a retried job resumes from the checkpoint its first attempt left, and old checkpoints are pruned', async () => {
    const code = [
      'import os, sys',
      'd = os.environ["ORRERY_CHECKPOINT_DIR"]',
      'done = sorted(os.listdir(d))',
      'print("found", ",".join(done), flush=True)',
      'for i in range(len(done), len(done) + 3): open(os.path.join(d, f"ckpt-{i:03d}"), "w").write(str(i))',
      'sys.exit(0 if done else 1)',
    ].join('\n');
    const job = await training.submit(spec({ name: 'ckpt', command: ['python3', '-c', code], retries: 1, checkpoint: { dir: '/ckpt', keepLast: 2 } }));
    await until(job.jobId, ['failed']);
    let retry: Job | undefined;
    for (let i = 0; i < 100 && !retry; i++) {
      retry = training.list().find((j) => j.spec.name === 'ckpt' && j.attempt === 2);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const done = await until(retry!.jobId, ['finished']);
    expect(training.logs(done.jobId, 10).map((l) => l.line)).toContain('found ckpt-001,ckpt-002');
  });
});
