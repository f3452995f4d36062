import type { Deployment } from '../../../../shared/contract/serving';
import { useClient } from '../../api/client-context';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../lib/use-action';
import { useActor } from '../models/use-actor';
import { confirmationOf, type ConfirmedAction } from './action-confirmations';

const methodOf = {
  stop: 'serving.stopDeployment',
  promote: 'serving.promoteRollout',
  rollback: 'serving.rollbackRollout',
  abort: 'serving.abortRollout',
} as const satisfies Record<ConfirmedAction, string>;

interface ConfirmActionDialogProps {
  action: ConfirmedAction;
  deployment: Deployment;
  onClose(): void;
  onChanged(next: Deployment): void;
}

/** Says what stopping or ending a rollout will do to the live URL, and does it only once agreed. */
export function ConfirmActionDialog({ action, deployment, onClose, onChanged }: ConfirmActionDialogProps) {
  const client = useClient();
  const actor = useActor();
  const run = useAction();
  const c = confirmationOf(action, deployment);
  return (
    <Dialog
      title={c.title}
      testId={`confirm-${action}`}
      onClose={onClose}
      onSubmit={() =>
        void run.run(async () => {
          onChanged(await client.call(methodOf[action], { name: deployment.name, actor }));
          onClose();
        })
      }
      submit={{ label: c.label, busyLabel: c.busyLabel, busy: run.busy, testId: `confirm-${action}-submit` }}
    >
      <p data-testid="confirm-text">{c.text}</p>
      {run.error && <ErrorNotice title="That did not work." error={run.error} />}
    </Dialog>
  );
}
