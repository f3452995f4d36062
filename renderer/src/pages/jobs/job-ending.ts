import type { Job } from '../../../../shared/contract/training';

const ENDED: Partial<Record<Job['status'], string>> = { finished: 'Finished', failed: 'Failed', cancelled: 'Cancelled' };

/**
 * How a job ended, in the words both the jobs page and the run page show: "Failed: exited with
 * code 2", "Cancelled by the user", "Finished: exited with code 0". Null while it is queued or running.
 */
export function jobEnding(job: Pick<Job, 'status' | 'reason'>): string | null {
  const word = ENDED[job.status];
  if (!word) return null;
  const reason = job.reason?.trim();
  if (!reason) return word;
  // "cancelled by the user" says it already: "Cancelled by the user", not "Cancelled: cancelled …".
  if (reason.toLowerCase().startsWith(word.toLowerCase())) return `${word}${reason.slice(word.length)}`;
  return `${word}: ${reason}`;
}

/** Whether the job can still be cancelled (it waits or runs). */
export function isCancellable(job: Pick<Job, 'status'>): boolean {
  return job.status === 'queued' || job.status === 'running';
}
