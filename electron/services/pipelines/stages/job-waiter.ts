import type { Job } from '../../../../shared/contract/training';
import type { AppCall, AppEvents } from '../ports';

const ENDED = new Set<Job['status']>(['finished', 'failed', 'cancelled']);

/** The app is closing: the wait ends, the job runs on, and the next start follows it again. */
export class StoppedFollowing extends Error {
  constructor() {
    super('Orrery is closing; the pipeline run resumes at the next start');
    this.name = 'StoppedFollowing';
  }
}

/**
 * Resolves with the job once it has ended. Follows the queue's events, and reads the job once
 * after subscribing: it may have ended before (a restart resumes stages whose jobs ran on).
 * When `signal` aborts, a cancelled pipeline run cancels the job (its end then resolves the wait);
 * an app that is closing only stops waiting.
 */
export function waitForJob(jobId: string, deps: { call: AppCall; events: AppEvents; signal: AbortSignal; cancelled(): boolean }): Promise<Job> {
  return new Promise<Job>((resolve, reject) => {
    let settled = false;
    const finish = (job: Job) => {
      if (settled) return;
      settled = true;
      off();
      deps.signal.removeEventListener('abort', onAbort);
      resolve(job);
    };
    const off = deps.events.subscribe('training.job', (job) => {
      if (job.jobId === jobId && ENDED.has(job.status)) finish(job);
    });
    const onAbort = () => {
      if (deps.cancelled()) {
        void deps.call('training.cancel', { jobId }).catch(() => undefined);
        return;
      }
      if (settled) return;
      settled = true;
      off();
      reject(new StoppedFollowing());
    };
    deps.signal.addEventListener('abort', onAbort);
    deps.call('training.getJob', { jobId }).then(
      (job) => {
        if (ENDED.has(job.status)) finish(job);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        off();
        deps.signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
    if (deps.signal.aborted) onAbort();
  });
}
