import type { Job } from '../../../../shared/contract/training';
import { useClient } from '../../api/client-context';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../lib/use-action';
import { jobEnding } from './job-ending';

/** The words the jobs page and the run page show for a cancelled job. */
const CANCELLED = jobEnding({ status: 'cancelled', reason: 'cancelled by the user' });

interface CancelJobDialogProps {
  job: Pick<Job, 'jobId' | 'name' | 'status'>;
  onClose(): void;
  /** The job as the cancel left it. */
  onCancelled(job: Job): void;
}

/** Asks before cancelling a job (from the jobs page or its run page), saying what cancelling does. */
export function CancelJobDialog({ job, onClose, onCancelled }: CancelJobDialogProps) {
  const client = useClient();
  const action = useAction();
  const running = job.status === 'running';
  return (
    <Dialog
      title={`Cancel “${job.name}”?`}
      testId="confirm-cancel-job"
      onClose={onClose}
      onSubmit={() =>
        void action.run(async () => {
          onCancelled(await client.call('training.cancel', { jobId: job.jobId }));
          onClose();
        })
      }
      submit={{ label: 'Cancel job', busyLabel: 'Cancelling…', busy: action.busy }}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {running ? 'Keep it running' : 'Keep it queued'}
          </button>
          <button type="submit" className="btn btn-danger" disabled={action.busy} data-testid="confirm-cancel-job-submit">
            {action.busy ? 'Cancelling…' : 'Cancel job'}
          </button>
        </>
      }
    >
      <p data-testid="confirm-text">
        {running
          ? `It is asked to stop and killed after 10 seconds if it has not. It ends as “${CANCELLED}”; what it logged so far (metrics, log, checkpoints) is kept.`
          : `It has not started: it leaves the queue and ends as “${CANCELLED}”.`}{' '}
        It is not retried on its own: “Retry” on the Jobs page or “Re-run…” on its run page starts it again as a new run.
      </p>
      {action.error && <ErrorNotice title="Could not cancel the job." error={action.error} />}
    </Dialog>
  );
}
