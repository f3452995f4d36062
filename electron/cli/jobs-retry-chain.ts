import type { OrreryClient } from '../../shared/client';
import type { Job } from '../../shared/contract/training';
import { OrreryError } from '../../shared/errors';
import { endText } from './jobs-output';

/** The tag on a retry's run: the run of the attempt it retries. */
export const RETRY_OF_TAG = 'orrery.retry-of';

export interface RetryChainOptions {
  /** How long to look for the next attempt after a failure; Orrery queues it as the failure is recorded, so this is slack. */
  timeoutMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const NEXT_ATTEMPT_TIMEOUT_MS = 10_000;

/** Whether Orrery may queue another attempt after this one: it failed and spec.retries allows one more. */
export function mayRetry(job: Job): boolean {
  return job.status === 'failed' && job.attempt <= job.spec.retries;
}

/**
 * `jobs wait` and `jobs logs --follow` on a job with --retries: `follow` watches one attempt to
 * its end; after a failed attempt with retries left, the next attempt is followed the same way,
 * and `tell` says so. Resolves with the last attempt, whose end is the job's outcome.
 */
export async function followAttempts(
  client: OrreryClient,
  id: string,
  follow: (id: string) => Promise<Job>,
  tell: (line: string) => Promise<void>,
  options: RetryChainOptions = {},
): Promise<Job> {
  let job = await follow(id);
  while (mayRetry(job)) {
    const next = await nextAttempt(client, job, options);
    const failed = `attempt ${job.attempt} failed (${endText(job)})`;
    if (next === null) {
      const waited = Math.round((options.timeoutMs ?? NEXT_ATTEMPT_TIMEOUT_MS) / 1000);
      await tell(`${failed}; no attempt ${job.attempt + 1} was queued within ${waited} s, so this is how the job ended`);
      return job;
    }
    await tell(`${failed}; following attempt ${next.attempt} (job ${next.jobId})`);
    job = await follow(next.jobId);
  }
  return job;
}

/** The attempt queued after `job` (its run tagged orrery.retry-of = job's run), looked for until the timeout; null when none appears. */
export async function nextAttempt(client: OrreryClient, job: Job, options: RetryChainOptions = {}): Promise<Job | null> {
  const { timeoutMs = NEXT_ATTEMPT_TIMEOUT_MS, pollMs = 500, now = Date.now } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + timeoutMs;
  for (;;) {
    const found = await findNextAttempt(client, job);
    if (found !== null || now() >= deadline) return found;
    await sleep(pollMs);
  }
}

async function findNextAttempt(client: OrreryClient, job: Job): Promise<Job | null> {
  const jobs = await client.call('training.listJobs', {});
  // Oldest first: the automatic retry is queued before anyone could retry the job by hand.
  const candidates = jobs.filter((j) => j.attempt === job.attempt + 1 && j.jobId !== job.jobId && j.createdAt >= job.createdAt).sort((a, b) => a.createdAt - b.createdAt);
  for (const candidate of candidates) {
    try {
      const run = await client.call('tracking.getRun', { runId: candidate.runId });
      if (run.tags[RETRY_OF_TAG] === job.runId) return candidate;
    } catch (error) {
      // A run deleted meanwhile is not the retry being looked for.
      if (!(error instanceof OrreryError && error.code === 'NOT_FOUND')) throw error;
    }
  }
  return null;
}
