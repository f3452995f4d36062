import type { OrreryClient } from '../../shared/client';
import type { Job } from '../../shared/contract/training';
import { watchUntilEnded, type EndedWatch } from './watch-until-ended';

export function hasEnded(job: Job): boolean {
  return job.status === 'finished' || job.status === 'failed' || job.status === 'cancelled';
}

/**
 * Watches one job (by its id or its run's) until it ends: read at once, on each `training.job`
 * event for it and every `pollMs` besides.
 */
export function watchJobEnd(client: OrreryClient, id: string, pollMs = 2000): EndedWatch<Job> {
  return watchUntilEnded({
    read: () => client.call('training.getJob', { jobId: id }),
    hasEnded,
    listen: (changed) =>
      client.on(
        'training.job',
        (job) => {
          if (job.jobId === id || job.runId === id) changed();
        },
        changed,
      ),
    pollMs,
  });
}
