import { describe, expect, it } from 'vitest';
import type { Job, JobLogLine } from '../../../shared/contract/training';
import type { TrainingService } from '../../../electron/services/training/training-service';
import type { TestServer } from '../../helpers/test-server';
import { hostJobSpec, queuePerTest } from '../../helpers/training-queue';

let server: TestServer;
let training: TrainingService;
queuePerTest(
  (s, t) => {
    server = s;
    training = t;
  },
  () => training,
);

const spec = hostJobSpec('log-ending');

/** The job's log as a page reads it the moment it hears that the job ended. */
function logAtEnd(jobId: () => string): Promise<{ job: Job; log: JobLogLine[] }> {
  return new Promise((resolve) => {
    const off = server.running.app.bus.subscribe('training.job', (job) => {
      if (job.jobId !== jobId() || job.status === 'queued' || job.status === 'running') return;
      off();
      resolve({ job, log: training.logs(job.jobId, 100_000) });
    });
  });
}

describe("a job's log when it ends", () => {
  it('holds every line of a process that fails at once, traceback included, when the end is told', async () => {
    // Many lines in a burst, then a failure: the log's writes are still queued when the process exits.
    const script = ['import sys', 'for i in range(20000): print("line %d " % i + "x" * 60)', 'raise SystemExit("boom: bad input")'].join('\n');
    let id = '';
    const ended = logAtEnd(() => id);
    id = (await training.submit(spec({ name: 'fast-fail', command: ['python3', '-c', script] }))).jobId;
    const { job, log } = await ended;

    expect(job).toMatchObject({ status: 'failed', exitCode: 1 });
    const stdout = log.filter((l) => l.stream === 'stdout').map((l) => l.line);
    expect(stdout).toHaveLength(20000);
    expect(stdout[0]).toMatch(/^line 0 x/);
    expect(stdout.at(-1)).toMatch(/^line 19999 x/);
    expect(log.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['boom: bad input']);
    // The end is the last line, after everything the process printed.
    expect(log.at(-1)).toMatchObject({ stream: 'orrery', line: 'Ended: exited with code 1' });
  }, 60_000);
});
