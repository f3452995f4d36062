import { describe, expect, it } from 'vitest';
import type { Job } from '../../shared/contract/training';
import { jobSpecSchema } from '../../shared/contract/training-spec';
import { describeResources, elapsedOf, splitJobs, upsertJob } from '../../renderer/src/pages/jobs/queue-model';

function job(id: string, patch: Partial<Job> = {}): Job {
  return {
    jobId: id.padEnd(32, '0'),
    name: id,
    status: 'queued',
    spec: jobSpecSchema.parse({ name: id, image: 'img', command: ['true'] }),
    priority: 0,
    createdAt: 1000,
    startedAt: null,
    endedAt: null,
    experimentId: '1',
    runId: `run-${id}`,
    attempt: 1,
    runner: null,
    gpuIndices: [],
    exitCode: null,
    reason: null,
    queuePosition: null,
    ...patch,
  };
}

describe('queue model', () => {
  it('puts running first, then queued by position, and ended jobs newest first', () => {
    const jobs = [
      job('q2', { queuePosition: 2 }),
      job('r', { status: 'running', startedAt: 5 }),
      job('q1', { queuePosition: 1 }),
      job('old', { status: 'finished', endedAt: 10 }),
      job('new', { status: 'failed', endedAt: 20 }),
    ];
    const { active, ended } = splitJobs(jobs);
    expect(active.map((j) => j.name)).toEqual(['r', 'q1', 'q2']);
    expect(ended.map((j) => j.name)).toEqual(['new', 'old']);
  });

  it('replaces a job by id', () => {
    const a = job('a', { createdAt: 1 });
    const b = job('b', { createdAt: 2 });
    const jobs = upsertJob([b, a], { ...a, status: 'running' });
    expect(jobs.map((j) => [j.name, j.status])).toEqual([
      ['b', 'queued'],
      ['a', 'running'],
    ]);
  });

  it('measures elapsed time from the start (or creation while queued)', () => {
    expect(elapsedOf(job('q', { createdAt: 1000 }), 6000)).toBe(5000);
    expect(elapsedOf(job('r', { status: 'running', startedAt: 2000 }), 6000)).toBe(4000);
    expect(elapsedOf(job('f', { status: 'finished', startedAt: 2000, endedAt: 3000 }), 9999)).toBe(1000);
    // Cancelled in the queue: it never ran, so it has no duration ("—"), as the CLI and its run say.
    expect(elapsedOf(job('c', { status: 'cancelled', createdAt: 1000, startedAt: null, endedAt: 16_000 }), 99_999)).toBeNull();
  });

  it('describes resources asked for and GPUs held', () => {
    const spec = jobSpecSchema.parse({ name: 'x', image: 'i', command: ['t'], resources: { gpus: 2, cpus: 1, memoryGb: 4 } });
    expect(describeResources(job('a', { spec }))).toBe('2 GPUs · 1 CPU · 4 GB');
    expect(describeResources(job('a', { spec, gpuIndices: [0, 3] }))).toBe('GPU 0, 3 · 1 CPU · 4 GB');
    expect(describeResources(job('a'))).toBe('no GPU · any CPUs · any memory');
  });
});
