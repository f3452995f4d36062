import { describe, expect, it } from 'vitest';
import { OrreryError } from '../../../shared/errors';
import type { TrainingService } from '../../../electron/services/training/training-service';
import { hostJobSpec, queuePerTest, waitForJob } from '../../helpers/training-queue';

const spec = hostJobSpec('reservations');

/** Model replicas take resources from the same ledger as jobs: never the same CPUs twice. */
describe('reservations for model replicas', () => {
  let training: TrainingService;
  queuePerTest(
    (_server, queue) => (training = queue),
    () => training,
  );

  it('refuses at once, naming the job that holds the CPUs, and takes nothing', async () => {
    const job = await training.submit(spec({ name: 'long-fit', command: ['sleep', '30'], resources: { gpus: 0, cpus: 1.5 } }));
    await waitForJob(training, job.jobId, ['running']);
    const error = (() => {
      try {
        training.reserve('replica:r1', 'replica r1 of deployment iris (version 1)', { gpus: 0, cpus: 1, memoryGb: 0.5 });
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(OrreryError);
    expect((error as OrreryError).code).toBe('CONFLICT');
    expect((error as OrreryError).message).toContain('1 CPUs asked, 0.5 free (held by job long-fit');
    expect(training.resourceUsage().cpus.used).toBe(1.5);
    await training.cancel(job.jobId);
  });

  it('a job waits while a replica holds what it needs, and starts once the replica releases it', async () => {
    training.reserve('replica:r1', 'replica r1 of deployment iris (version 1)', { gpus: 0, cpus: 1.5, memoryGb: 0.5 });
    const job = await training.submit(spec({ name: 'waits', resources: { gpus: 0, cpus: 1 } }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(training.get(job.jobId).status).toBe('queued');
    expect(training.get(job.jobId).reason).toBe('waiting for 1 CPU (0.5 free); 1 model replica (Deployments) holds 1.5 CPUs, 0.5 GB');
    training.release('replica:r1');
    await waitForJob(training, job.jobId, ['finished']);
  });

  it('names the replica that holds resources when a second reservation does not fit', () => {
    training.reserve('replica:r1', 'replica r1 of deployment iris (version 1)', { gpus: 0, cpus: 1.5, memoryGb: 0.5 });
    expect(() => training.reserve('replica:r2', 'replica r2 of deployment iris (version 2)', { gpus: 0, cpus: 1, memoryGb: 0.5 })).toThrow(
      /held by replica r1 of deployment iris \(version 1\)/,
    );
  });
});
