import { describe, expect, it } from 'vitest';
import type { Job } from '../../shared/contract/training';
import { jobSpecSchema } from '../../shared/contract/training-spec';
import { cancelledText, endedOtherwiseText, endText, jobsTableText, logLineText, submittedText } from '../../electron/cli/jobs-output';

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);

function job(overrides: Partial<Job>): Job {
  return {
    jobId: 'a'.repeat(32),
    name: 'digits',
    status: 'queued',
    spec: jobSpecSchema.parse({ name: 'digits', experiment: 'mnist', image: 'orrery/python:local', command: ['python3', 'x.py'] }),
    priority: 0,
    createdAt: T0,
    startedAt: null,
    endedAt: null,
    experimentId: '1',
    runId: 'b'.repeat(32),
    attempt: 1,
    runner: 'docker',
    gpuIndices: [],
    exitCode: null,
    reason: null,
    queuePosition: null,
    ...overrides,
  };
}

describe('orrery jobs as text', () => {
  it('submit prints the job id and the run id on lines of their own', () => {
    expect(submittedText(job({}))).toBe(`Queued digits in experiment mnist\njob ${'a'.repeat(32)}\nrun ${'b'.repeat(32)}`);
    expect(submittedText(job({}), 'c'.repeat(32)).split('\n')[0]).toBe(`Queued digits in experiment mnist, re-running run ${'c'.repeat(32)}`);
  });

  it('list: a row per job with its run, start, duration and how it ended, in aligned columns', () => {
    const now = T0 + 3_725_000;
    const text = jobsTableText(
      [
        job({ jobId: '1'.repeat(32), runId: '2'.repeat(32), status: 'queued', queuePosition: 1, reason: 'waiting for 1 GPU' }),
        job({ jobId: '3'.repeat(32), runId: '4'.repeat(32), name: 'long-name-job', status: 'running', startedAt: T0 }),
        job({ jobId: '5'.repeat(32), runId: '6'.repeat(32), status: 'failed', startedAt: T0, endedAt: T0 + 42_000, exitCode: 2, reason: 'exited with code 2' }),
        job({ jobId: '7'.repeat(32), runId: '8'.repeat(32), status: 'cancelled', startedAt: T0, endedAt: T0 + 5000, reason: 'cancelled by the user' }),
      ],
      now,
    );
    const pad = (s: string, n: number) => s.padEnd(n);
    expect(text.split('\n')).toEqual([
      `${pad('JOB', 32)}  ${pad('NAME', 13)}  ${pad('STATUS', 9)}  ${pad('RUN', 32)}  ${pad('STARTED', 20)}  DURATION  HOW IT ENDED`,
      `${'1'.repeat(32)}  ${pad('digits', 13)}  queued #1  ${'2'.repeat(32)}  ${pad('–', 20)}  –         waiting: waiting for 1 GPU`,
      `${'3'.repeat(32)}  long-name-job  running    ${'4'.repeat(32)}  2026-11-30T09:00:00Z  1:02:05   –`,
      `${'5'.repeat(32)}  ${pad('digits', 13)}  failed     ${'6'.repeat(32)}  2026-11-30T09:00:00Z  0:42      exited with code 2`,
      `${'7'.repeat(32)}  ${pad('digits', 13)}  cancelled  ${'8'.repeat(32)}  2026-11-30T09:00:00Z  0:05      cancelled by the user`,
    ]);
    expect(jobsTableText([], now)).toBe('No jobs.');
  });

  it('how a job ended: the service\'s reason, with an exit code it does not already say', () => {
    expect(endText(job({ status: 'failed', exitCode: 1, reason: 'killed: out of memory' }))).toBe('killed: out of memory (exit code 1)');
    expect(endText(job({ status: 'finished', exitCode: 0, reason: 'exited with code 0' }))).toBe('exited with code 0');
    expect(endText(job({ status: 'cancelled', exitCode: 143, reason: 'cancelled by the user' }))).toBe('cancelled by the user');
    expect(endedOtherwiseText(job({ status: 'failed', exitCode: 3, reason: 'exited with code 3' }))).toBe(`job digits (${'a'.repeat(32)}) failed: exited with code 3`);
  });

  it('cancel says what it did; log lines mark what is not stdout', () => {
    expect(cancelledText(job({ status: 'cancelled', reason: 'cancelled before it started' }))).toBe(`Cancelled job digits (${'a'.repeat(32)}): cancelled before it started`);
    const line = { jobId: 'a'.repeat(32), runId: 'b'.repeat(32), at: T0 };
    expect(logLineText({ ...line, stream: 'stdout', line: 'epoch 1' })).toBe('epoch 1');
    expect(logLineText({ ...line, stream: 'stderr', line: 'Traceback' })).toBe('[stderr] Traceback');
    expect(logLineText({ ...line, stream: 'orrery', line: 'Started' })).toBe('[orrery] Started');
  });
});
