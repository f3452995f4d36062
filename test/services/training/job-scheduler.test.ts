import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/contract/training';
import { jobSpecSchema, type JobSpecInput } from '../../../shared/contract/training-spec';
import { EventBus } from '../../../electron/services/events/event-bus';
import { openDatabase } from '../../../electron/services/store/database';
import { JobRepository } from '../../../electron/services/training/job-repository';
import { ResourceManager } from '../../../electron/services/training/resource-manager';
import { TrainingService } from '../../../electron/services/training/training-service';
import { FixedGpuSamples } from '../../fakes/gpu-sample-reader';
import { ManualClock } from '../../fakes/manual-clock';
import { InMemoryRunArtifacts } from '../../fakes/run-artifacts';
import { InMemoryRunTracker } from '../../fakes/run-tracker';
import { ScriptedJobLauncher } from '../../fakes/scripted-job-launcher';
import { tempDir } from '../../helpers/temp-dir';

/**
 * The queue's scheduler and job follower on their own: tracking, artifacts, GPU samples and the
 * launcher are in-memory fakes, so no process, container or HTTP server is involved.
 */

let db: Database;
let training: TrainingService;
let launcher: ScriptedJobLauncher;
let tracking: InMemoryRunTracker;
let artifacts: InMemoryRunArtifacts;
let bus: EventBus;
let gpus: FixedGpuSamples;
const clock = new ManualClock(10_000);

beforeEach(() => {
  const dataDir = tempDir();
  db = openDatabase({ dataDir }).db;
  launcher = new ScriptedJobLauncher();
  tracking = new InMemoryRunTracker();
  artifacts = new InMemoryRunArtifacts();
  bus = new EventBus();
  gpus = new FixedGpuSamples();
  training = new TrainingService({
    jobs: new JobRepository(db),
    tracking,
    artifacts,
    bus,
    launcher,
    resources: new ResourceManager({ cpus: 4, memoryBytes: 8 * 1024 ** 3, gpus: [{ index: 0, uuid: 'GPU-0', name: 'RTX A5000', memoryTotalMb: 24_564 }] }),
    dataDir,
    trackingEndpoint: (runId) => ({ uri: 'http://127.0.0.1:1', token: `token-${runId}` }),
    gpuSamples: gpus.read,
    systemMetricsIntervalMs: 10,
    now: clock.now,
  });
});

afterEach(() => {
  training.close();
  db.close();
});

const spec = (input: Partial<JobSpecInput> & { name: string }) =>
  jobSpecSchema.parse({ image: 'host', experiment: 'unit', command: ['train'], resources: { gpus: 1 }, ...input });

async function until(jobId: string, statuses: Job['status'][]): Promise<Job> {
  for (let i = 0; i < 200; i++) {
    const job = training.get(jobId);
    if (statuses.includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`job ${jobId} still ${training.get(jobId).status}`);
}

describe('the scheduler, with a scripted launcher and an in-memory run tracker', () => {
  it('starts one job per free GPU; the next waits with its reason and starts when the first ends', async () => {
    const first = await training.submit(spec({ name: 'first' }));
    const second = await training.submit(spec({ name: 'second' }));
    await until(first.jobId, ['running']);
    expect(launcher.launched.map((j) => j.request.jobId)).toEqual([first.jobId]);
    expect(launcher.launched[0]!.request.gpuIndices).toEqual([0]);
    expect(launcher.launched[0]!.request.trackingToken).toBe(`token-${first.runId}`);
    const waiting = training.get(second.jobId);
    expect(waiting).toMatchObject({ status: 'queued', queuePosition: 1, reason: 'waiting for 1 GPU (0 free)' });
    expect(tracking.run(first.runId)).toMatchObject({ status: 'RUNNING', name: 'first' });
    expect(tracking.run(second.runId).status).toBe('SCHEDULED');

    launcher.launched[0]!.end(0);
    await until(first.jobId, ['finished']);
    await until(second.jobId, ['running']);
    expect(launcher.launched.map((j) => j.request.jobId)).toEqual([first.jobId, second.jobId]);
    expect(tracking.run(first.runId)).toMatchObject({ status: 'FINISHED', endTime: clock.now() });
    expect(tracking.run(first.runId).tags['orrery.end_reason']).toBe('exited with code 0');
  });

  it('follows a job: metric lines land in its run, a bad line is logged, its outputs become artifacts', async () => {
    const job = await training.submit(spec({ name: 'metrics', hyperparameters: { lr: 0.1 } }));
    const lines: string[] = [];
    bus.subscribe('training.log', (entry) => {
      if (entry.jobId === job.jobId) lines.push(`${entry.stream}: ${entry.line}`);
    });
    await until(job.jobId, ['running']);
    const running = launcher.launched[0]!;
    running.print('ORRERY_METRICS {"step": 3, "loss": 0.5}');
    running.print('ORRERY_METRICS {"step": "x"}');
    fs.writeFileSync(path.join(running.request.outputsDir, 'model.txt'), 'weights');
    running.end(0);
    await until(job.jobId, ['finished']);
    const run = tracking.run(job.runId);
    expect(run.params).toEqual({ lr: '0.1' });
    expect(run.history).toEqual([{ key: 'loss', value: 0.5, step: 3, timestamp: clock.now() }]);
    expect(artifacts.filesOf(run.experimentId, job.runId)).toEqual({ 'model.txt': 'weights' });
    expect(lines).toEqual([
      'stdout: ORRERY_METRICS {"step": 3, "loss": 0.5}',
      'stdout: ORRERY_METRICS {"step": "x"}',
      expect.stringMatching(/^orrery: ORRERY_METRICS line not logged: .*step/),
      'orrery: Ended: exited with code 0',
    ]);
  });

  it('a job that fails on its own is retried as a new attempt; cancel stops a running one', async () => {
    const job = await training.submit(spec({ name: 'flaky', retries: 1 }));
    await until(job.jobId, ['running']);
    launcher.launched[0]!.end(1);
    await until(job.jobId, ['failed']);
    const retry = training.list().find((j) => j.jobId !== job.jobId)!;
    expect(retry).toMatchObject({ attempt: 2, name: 'flaky' });
    expect(tracking.run(retry.runId).tags['orrery.retry-of']).toBe(job.runId);
    await until(retry.jobId, ['running']);
    await training.cancel(retry.jobId);
    expect(launcher.launched[1]!.stopped).toBe(10);
    expect(await until(retry.jobId, ['cancelled'])).toMatchObject({ reason: 'cancelled by the user' });
    expect(tracking.run(retry.runId).status).toBe('KILLED');
  });

  it('a job cancelled in the queue never ran: its run gets no end time, so no duration', async () => {
    const first = await training.submit(spec({ name: 'holds-the-gpu' }));
    const waiting = await training.submit(spec({ name: 'waits' }));
    await until(first.jobId, ['running']);
    await training.cancel(waiting.jobId);
    expect(await until(waiting.jobId, ['cancelled'])).toMatchObject({ startedAt: null });
    expect(tracking.run(waiting.runId)).toMatchObject({ status: 'KILLED', endTime: null });
    launcher.launched[0]!.end(0);
    await until(first.jobId, ['finished']);
  });

  it("samples the GPUs a running job holds into its run's system metrics", async () => {
    gpus.samples = [
      { index: 0, utilizationPercent: 87, memoryUsedMb: 4096, memoryTotalMb: 24_564, temperatureC: 60, powerDrawW: 200 },
      { index: 1, utilizationPercent: 5, memoryUsedMb: 1, memoryTotalMb: 24_564, temperatureC: 30, powerDrawW: 20 },
    ];
    const job = await training.submit(spec({ name: 'sampled' }));
    await until(job.jobId, ['running']);
    for (let i = 0; i < 200 && !tracking.run(job.runId).metrics['system/gpu_0_memory_mb']; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(tracking.run(job.runId).metrics).toMatchObject({
      'system/gpu_0_utilization': { value: 87 },
      'system/gpu_0_memory_mb': { value: 4096 },
    });
    expect(Object.keys(tracking.run(job.runId).metrics).some((key) => key.startsWith('system/gpu_1'))).toBe(false);
    launcher.launched[0]!.end(0);
    await until(job.jobId, ['finished']);
  });
});
