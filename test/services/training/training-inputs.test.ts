import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/contract/training';
import { JobRepository } from '../../../electron/services/training/job-repository';
import { TrainingService } from '../../../electron/services/training/training-service';
import { tempDir } from '../../helpers/temp-dir';
import type { TestServer } from '../../helpers/test-server';
import { hostJobSpec, queuePerTest, trainingQueue, waitForJob } from '../../helpers/training-queue';
import { watchLoopAndMemory } from '../../helpers/loop-and-memory-watch';

/**
 * Datasets are hashed off the request path: training.submit returns at once with the job queued in
 * the 'hashing-inputs' stage, the reason shows progress, the job then joins the line; a dataset
 * that cannot be hashed (a FIFO, a device) is refused with its name, and cancelling stops the hash.
 */

let server: TestServer;
let training: TrainingService;

queuePerTest(
  (started, queue) => {
    server = started;
    training = queue;
  },
  () => training,
);

const spec = hostJobSpec('inputs');

const until = (jobId: string, statuses: Job['status'][], timeoutMs = 60_000): Promise<Job> => waitForJob(training, jobId, statuses, timeoutMs);

/** A folder outside the data dir holding one sparse file: gigabytes of zeros to hash, no disk used. */
function bigDataset(gib: number): string {
  const dir = tempDir('orrery-inputs-');
  const file = path.join(dir, 'shard-000.bin');
  fs.closeSync(fs.openSync(file, 'w'));
  fs.truncateSync(file, gib * 1024 ** 3);
  return dir;
}

/** Bytes this process has read (all threads), from /proc/self/io. */
function bytesRead(): number {
  const match = /^rchar: (\d+)$/m.exec(fs.readFileSync('/proc/self/io', 'utf8'));
  return Number(match![1]);
}

describe('dataset hashing off the request path', () => {
  it('submit returns at once, queued as hashing-inputs with progress; the job then runs and the run records its input', async () => {
    const data = tempDir('orrery-inputs-');
    for (let d = 0; d < 10; d++) {
      fs.mkdirSync(path.join(data, `part-${d}`));
      for (let f = 0; f < 300; f++) fs.writeFileSync(path.join(data, `part-${d}`, `${f}.csv`), `${d},${f}\n`);
    }
    fs.writeFileSync(path.join(data, 'big.bin'), Buffer.alloc(64 * 1024 * 1024, 1));
    const seen: Job[] = [];
    const unsubscribe = server.running.app.bus.subscribe('training.job', (job) => seen.push(job));
    const watch = watchLoopAndMemory();

    const job = await training.submit(spec({ name: 'many-files', mounts: [{ source: data, target: '/data' }] }));
    // submit answers before the hash is done (it used to answer only after it): its answer is the
    // job still hashing, which no answer sent after the hash could say.
    expect(job).toMatchObject({ status: 'queued', stage: 'hashing-inputs', queuePosition: null });
    expect(job.reason).toMatch(/^hashing inputs: /);
    expect(server.running.app.tracking.getRun(job.runId).status).toBe('SCHEDULED');

    const done = await until(job.jobId, ['finished', 'failed']);
    const { maxStallMs } = watch.stop();
    unsubscribe();
    expect(done).toMatchObject({ status: 'finished', stage: null });
    const inputs = server.running.app.tracking.getRunDetail(job.runId).inputs;
    expect(inputs).toEqual([expect.objectContaining({ name: path.basename(data), digest: expect.stringMatching(/^[0-9a-f]{36}$/) })]);
    // Progress was shown while it hashed: the file count, then files and bytes done.
    const reasons = seen.filter((j) => j.jobId === job.jobId && j.stage === 'hashing-inputs').map((j) => j.reason ?? '');
    expect(reasons.some((r) => /files, \d/.test(r))).toBe(true);
    expect(reasons.every((r) => r.startsWith('hashing inputs: '))).toBe(true);
    // The event loop kept turning while 3,001 files and 64 MB were hashed (generous: other test
    // files share these CPUs).
    expect(maxStallMs).toBeLessThan(500);
  });

  it('cancelling a job while it hashes stops the hash: no more reads, the run KILLED, no input recorded', async () => {
    const data = bigDataset(16);
    const job = await training.submit(spec({ name: 'huge', mounts: [{ source: data, target: '/data' }] }));
    // Let it get going.
    for (let i = 0; i < 100 && !/GB|MB/.test(training.get(job.jobId).reason ?? ''); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(training.get(job.jobId)).toMatchObject({ status: 'queued', stage: 'hashing-inputs' });
    const cancelled = await training.cancel(job.jobId);
    expect(cancelled).toMatchObject({ status: 'cancelled', stage: null, reason: 'cancelled while its inputs were being hashed' });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the read in flight finishes
    const before = bytesRead();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Hashing 16 GiB reads hundreds of MB a second; stopped, it reads nothing.
    expect(bytesRead() - before).toBeLessThan(8 * 1024 * 1024);
    const run = server.running.app.tracking.getRunDetail(job.runId);
    expect(run.status).toBe('KILLED');
    expect(run.inputs).toEqual([]);
  });

  it('/dev/zero and a FIFO are refused at submit, naming the field; a FIFO inside a dataset fails the job with its path', async () => {
    await expect(training.submit(spec({ name: 'zero', mounts: [{ source: '/dev/zero', target: '/data' }] }))).rejects.toThrow(
      "spec.mounts[0].source: '/dev/zero' is inside /dev, the host kernel's interface; a job may not mount it.",
    );
    const dir = tempDir('orrery-inputs-');
    const fifo = path.join(dir, 'stream');
    execFileSync('mkfifo', [fifo]);
    await expect(training.submit(spec({ name: 'fifo', mounts: [{ source: fifo, target: '/data' }] }))).rejects.toThrow(
      `spec.mounts[0].source: '${fifo}' is a FIFO (named pipe); a job may mount folders and regular files only.`,
    );

    const data = tempDir('orrery-inputs-');
    fs.writeFileSync(path.join(data, 'a.csv'), '1\n');
    execFileSync('mkfifo', [path.join(data, 'b-pipe')]);
    const job = await training.submit(spec({ name: 'fifo-inside', mounts: [{ source: data, target: '/data' }] }));
    const failed = await until(job.jobId, ['failed'], 10_000);
    expect(failed.reason).toBe(
      `could not hash its inputs: spec.mounts[0].source: '${path.join(data, 'b-pipe')}' is a FIFO (named pipe); a dataset is hashed from regular files only, and reading this one might never end.`,
    );
    // The run ends FAILED, not left SCHEDULED.
    expect(server.running.app.tracking.getRun(job.runId).status).toBe('FAILED');
  });

  it('a job whose hashing was cut by a restart is hashed again by the next Orrery, then runs', async () => {
    const data = bigDataset(1);
    const job = await training.submit(spec({ name: 'restart', mounts: [{ source: data, target: '/data' }] }));
    training.close(); // Orrery stops while hashing
    expect(new JobRepository(server.store()).get(job.jobId)).toMatchObject({ status: 'queued', stage: 'hashing-inputs' });
    training = trainingQueue(server);
    await training.reattach();
    const done = await until(job.jobId, ['finished', 'failed']);
    expect(done.status).toBe('finished');
    expect(server.running.app.tracking.getRunDetail(job.runId).inputs).toHaveLength(1);
  });

  it("a sweep's trials share one hash and each records the same input", async () => {
    const data = tempDir('orrery-inputs-');
    fs.writeFileSync(path.join(data, 'train.csv'), 'a,b\n1,2\n');
    const submitted = await training.submitSweep(spec({ name: 'sweep', mounts: [{ source: data, target: '/data' }] }), {
      strategy: 'grid',
      space: { lr: { values: [0.1, 0.2, 0.3] } },
      maxTrials: 10,
      maxParallel: 3,
      objective: { metric: 'x', mode: 'min' },
    });
    expect(submitted.jobs.every((j) => j.stage === 'hashing-inputs')).toBe(true);
    const digests = [];
    for (const trial of submitted.jobs) {
      await until(trial.jobId, ['finished']);
      digests.push(server.running.app.tracking.getRunDetail(trial.runId).inputs[0]?.digest);
    }
    expect(new Set(digests).size).toBe(1);
    expect(digests[0]).toMatch(/^[0-9a-f]{36}$/);
  });
});
