import { useLiveQuery } from '../../lib/use-live-query';
import { jobEnding } from '../jobs/job-ending';

/**
 * Beside the run's status badge (MLflow's word: "killed"), how its job ended in the jobs page's
 * words ("Cancelled by the user"), so both pages say the same thing. Nothing while it waits or runs.
 */
export function JobEndingNote({ runId }: { runId: string }) {
  const job = useLiveQuery((c) => c.call('training.getJob', { jobId: runId }), [runId], {
    staleOn: { 'training.job': (next) => next.runId === runId, 'tracking.run': (run) => run.runId === runId },
  });
  const ending = job.data ? jobEnding(job.data) : null;
  if (!ending) return null;
  return (
    <span className="muted" data-testid="run-job-ending" title="How its job ended, as the Jobs page says">
      {ending}
    </span>
  );
}
