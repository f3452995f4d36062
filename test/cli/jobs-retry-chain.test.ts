import { describe, expect, it } from 'vitest';
import type { Job } from '../../shared/contract/training';
import type { JobSpec } from '../../shared/contract/training-spec';
import { OrreryError } from '../../shared/errors';
import { inOptionWords } from '../../electron/cli/jobs-run';
import { followAttempts, mayRetry } from '../../electron/cli/jobs-retry-chain';
import { refuseUnknownJob } from '../../electron/cli/jobs-sweep-parent';
import type { SubmitOptions } from '../../electron/cli/jobs-command';
import { fakeEventClient } from '../fakes/event-client';

const id = (c: string) => c.repeat(32);

function job(c: string, attempt: number, status: Job['status'], retries = 1, createdAt = attempt): Job {
  return { jobId: id(c), runId: `run-${c}`, name: 'train', status, attempt, createdAt, spec: { retries } as JobSpec, reason: status === 'failed' ? 'exited with code 1' : null, exitCode: status === 'failed' ? 1 : 0 } as Job;
}

/** Jobs as `training.listJobs` shows them, each run's tags as `tracking.getRun` does; `listed` counts the looks. */
function fakeQueue(jobs: Job[], retryOf: Record<string, string>) {
  let listed = 0;
  const { client } = fakeEventClient((method: string, input: { runId?: string }) => {
    if (method === 'training.listJobs') {
      listed++;
      return Promise.resolve(jobs);
    }
    if (method === 'tracking.getRun') return Promise.resolve({ name: 'train', tags: retryOf[input.runId!] ? { 'orrery.retry-of': retryOf[input.runId!] } : {} });
    return Promise.reject(new Error(`unexpected ${method}`));
  });
  return { client, listed: () => listed };
}

describe('following a job through its retries', () => {
  it('a failed attempt with retries left is followed by the attempt that retries it, and the last one is the outcome', async () => {
    const first = job('1', 1, 'failed', 2);
    const second = job('3', 2, 'failed', 2);
    const decoy = job('5', 2, 'finished', 2); // attempt 2 of another job
    const third = job('7', 3, 'finished', 2);
    const jobs: Job[] = [first];
    const fake = fakeQueue(jobs, { [second.runId]: first.runId, [decoy.runId]: id('9'), [third.runId]: second.runId });
    const byId = new Map([first, second, third].map((j) => [j.jobId, j]));
    let sleeps = 0;
    const told: string[] = [];
    const followed: string[] = [];
    const last = await followAttempts(
      fake.client,
      first.jobId,
      async (jobId) => (followed.push(jobId), byId.get(jobId)!),
      async (line) => void told.push(line),
      {
        // The retry shows up while we wait for it.
        sleep: async () => void (sleeps++ === 0 && jobs.push(decoy, second, third)),
        now: () => 0,
      },
    );
    expect(last).toBe(third);
    expect(followed).toEqual([first.jobId, second.jobId, third.jobId]);
    expect(told).toEqual([`attempt 1 failed (exited with code 1); following attempt 2 (job ${second.jobId})`, `attempt 2 failed (exited with code 1); following attempt 3 (job ${third.jobId})`]);
  });

  it('no retries left, or a job that did not fail: nothing more to follow, nothing asked', async () => {
    const fake = fakeQueue([], {});
    for (const ended of [job('1', 2, 'failed', 1), job('1', 1, 'cancelled', 3), job('1', 1, 'finished', 3)]) {
      expect(mayRetry(ended)).toBe(false);
      const told: string[] = [];
      expect(await followAttempts(fake.client, ended.jobId, async () => ended, async (l) => void told.push(l))).toBe(ended);
      expect(told).toEqual([]);
    }
    expect(fake.listed()).toBe(0);
  });

  it('a retry that never appears is waited for only so long, then the failure is the outcome', async () => {
    const first = job('1', 1, 'failed', 1);
    const fake = fakeQueue([first], {});
    let clock = 0;
    const told: string[] = [];
    const last = await followAttempts(fake.client, first.jobId, async () => first, async (l) => void told.push(l), {
      timeoutMs: 10_000,
      pollMs: 500,
      sleep: async (ms) => void (clock += ms),
      now: () => clock,
    });
    expect(last).toBe(first);
    expect(clock).toBe(10_000);
    expect(fake.listed()).toBe(21);
    expect(told).toEqual(['attempt 1 failed (exited with code 1); no attempt 2 was queued within 10 s, so this is how the job ended']);
  });
});

describe('refusals in the words of the command line', () => {
  const options = (datasets: SubmitOptions['datasets'], workspace = true): SubmitOptions => ({
    params: {},
    env: {},
    datasets,
    ...(workspace ? { workspace: { source: '/home/ada/project', writable: false } } : {}),
  });
  const data = (source: string, target: string) => ({ source, target, kind: 'dataset' as const, writable: false as const });

  it('a mount field names the option that made the mount; other fields keep their mapping', () => {
    const one = [data('/data/digits', '/orrery/outputs')];
    const spec = { mounts: [{ source: '/home/ada/project', target: '/workspace', kind: 'workspace' as const }, ...one] };
    expect(inOptionWords('spec.mounts[1].target: /orrery/outputs is where Orrery mounts its own files for the job; choose another path.', spec, options(one))).toBe(
      '--dataset: /orrery/outputs is where Orrery mounts its own files for the job; choose another path.',
    );
    expect(inOptionWords('spec.mounts[0].source: the job runs as uid 1000, which cannot reach it.', spec, options(one))).toBe('--workspace: the job runs as uid 1000, which cannot reach it.');
    const two = [data('/data/a', '/data/a'), data('/data/b', '/workspace')];
    const spec2 = { mounts: [spec.mounts[0]!, ...two] };
    expect(inOptionWords('spec.mounts[2].target: another mount already uses /workspace.', spec2, options(two))).toBe('--dataset /data/b: another mount already uses /workspace.');
    expect(inOptionWords('resources.gpus: asks for 1 GPU.', spec, options(one))).toBe('--gpus: asks for 1 GPU.');
    // A mount kept from the job --from re-runs was not typed: its field stays.
    expect(inOptionWords('spec.mounts[0].target: another mount already uses /workspace.', spec, options([], false))).toBe('spec.mounts[0].target: another mount already uses /workspace.');
  });

  it('wait, logs or cancel on a sweep\'s parent run says so and names its trials; any other unknown id keeps its NOT_FOUND', async () => {
    const parent = id('a');
    const notFound = new OrreryError('NOT_FOUND', `No job with id ${parent}, and no job made a run with that id.`);
    const { client } = fakeEventClient((method: string, input: { runId: string }) => {
      if (input.runId !== parent) return Promise.reject(new OrreryError('NOT_FOUND', 'No run.'));
      if (method === 'tracking.getRun') return Promise.resolve({ name: 'lr-sweep', tags: { 'orrery.sweep': 'true' } });
      if (method === 'training.getSweep') return Promise.resolve({ trials: [{ jobId: id('b'), name: 'train (lr=0.1)', status: 'running' }] });
      return Promise.reject(new Error(`unexpected ${method}`));
    });
    await expect(refuseUnknownJob(client, parent, notFound, 'wait')).rejects.toThrow(
      `ID: ${parent} is the parent run of the sweep lr-sweep; it only groups the trials and has no job of its own. Run orrery jobs wait with a trial's job id instead. Its trials:\n  ${id('b')}  train (lr=0.1)  running`,
    );
    await expect(refuseUnknownJob(client, id('c'), notFound, 'cancel')).rejects.toBe(notFound);
  });
});
