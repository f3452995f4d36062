import type { OrreryClient } from '../../shared/client';
import type { Job } from '../../shared/contract/training';

export interface EndWatch {
  /** The job once it has ended; rejects when the job is unknown (or Orrery stops answering). */
  ended: Promise<Job>;
  close(): void;
}

export function hasEnded(job: Job): boolean {
  return job.status === 'finished' || job.status === 'failed' || job.status === 'cancelled';
}

/**
 * Watches one job (by its id or its run's) until it ends: subscribed to `training.job` before
 * anything is read, and asking for the job at once and then every `pollMs`, since the event stream
 * opens a moment after subscribing and may drop, and an end it missed must not leave us waiting.
 */
export function watchJobEnd(client: OrreryClient, id: string, pollMs = 2000): EndWatch {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  let settle: (job: Job) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const ended = new Promise<Job>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const off = client.on('training.job', (job) => {
    if ((job.jobId === id || job.runId === id) && hasEnded(job)) settle(job);
  });
  const poll = async (): Promise<void> => {
    timer = null;
    try {
      const job = await client.call('training.getJob', { jobId: id });
      if (hasEnded(job)) return settle(job);
    } catch (error) {
      return fail(error);
    }
    if (!closed) timer = setTimeout(() => void poll(), pollMs);
  };
  void poll();
  const close = (): void => {
    closed = true;
    off();
    if (timer !== null) clearTimeout(timer);
  };
  // Settled either way: stop polling and listening.
  ended.then(close, close);
  return { ended, close };
}
