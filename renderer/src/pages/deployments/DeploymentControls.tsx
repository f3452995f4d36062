import { useState } from 'react';
import type { Deployment } from '../../../../shared/contract/serving';
import { useClient } from '../../api/client-context';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { TextField } from '../../components/Field';
import { useAction } from '../../lib/use-action';
import { routeHref } from '../../routing/route';
import { navigate } from '../../routing/use-route';
import { useActor } from '../models/use-actor';
import { ConfirmActionDialog } from './ConfirmActionDialog';
import { parseNumberField } from './deployment-form';

/** Scale, stop (after a confirmation) or start, and delete (after a confirmation) one deployment. */
export function DeploymentControls({ deployment, onChanged }: { deployment: Deployment; onChanged(next: Deployment): void }) {
  const client = useClient();
  const actor = useActor();
  const action = useAction();
  const [dialog, setDialog] = useState<'scale' | 'stop' | 'delete' | null>(null);
  const stopped = deployment.status === 'stopped';
  const name = deployment.name;

  return (
    <>
      <div className="actions deployment-controls">
        <button type="button" className="btn" onClick={() => setDialog('scale')} disabled={action.busy || stopped} data-testid="open-scale">
          Scale…
        </button>
        <button
          type="button"
          className="btn"
          disabled={action.busy}
          data-testid={stopped ? 'start-deployment' : 'stop-deployment'}
          onClick={() => (stopped ? void action.run(async () => onChanged(await client.call('serving.startDeployment', { name, actor }))) : setDialog('stop'))}
        >
          {stopped ? 'Start' : 'Stop…'}
        </button>
        <button type="button" className="btn btn-danger" onClick={() => setDialog('delete')} disabled={action.busy} data-testid="open-delete">
          Delete…
        </button>
      </div>
      {action.error && <ErrorNotice title="That did not work." error={action.error} />}
      {dialog === 'scale' && <ScaleDialog deployment={deployment} onClose={() => setDialog(null)} onChanged={onChanged} />}
      {dialog === 'stop' && <ConfirmActionDialog action="stop" deployment={deployment} onClose={() => setDialog(null)} onChanged={onChanged} />}
      {dialog === 'delete' && <DeleteDialog deployment={deployment} onClose={() => setDialog(null)} />}
    </>
  );
}

function ScaleDialog({ deployment, onClose, onChanged }: { deployment: Deployment; onClose(): void; onChanged(next: Deployment): void }) {
  const client = useClient();
  const actor = useActor();
  const action = useAction();
  const [replicas, setReplicas] = useState(String(deployment.settings.replicas));
  const [attempted, setAttempted] = useState(false);
  const parsed = replicas.trim() === '' ? { error: 'Give a number of replicas, 1–16.' } : parseNumberField(replicas, { integer: true, min: 1, max: 16, label: 'Replicas' });
  const error = (attempted ? parsed.error : undefined) ?? action.error?.message;

  return (
    <Dialog
      title={`Scale ${deployment.name}`}
      testId="scale-dialog"
      onClose={onClose}
      onSubmit={() => {
        setAttempted(true);
        if (parsed.value === undefined) return;
        void action.run(async () => {
          onChanged(await client.call('serving.scaleDeployment', { name: deployment.name, replicas: parsed.value!, actor }));
          onClose();
        });
      }}
      submit={{ label: 'Scale', busyLabel: 'Scaling…', busy: action.busy, testId: 'scale-submit' }}
    >
      <TextField
        label="Replicas of the stable version"
        value={replicas}
        onChange={(value) => {
          setReplicas(value);
          action.clearError();
        }}
        error={error}
        hint={`Each reserves ${deployment.settings.cpus} CPU and ${deployment.settings.memoryGb} GB${deployment.settings.gpus ? ` and ${deployment.settings.gpus} GPU` : ''}.`}
        testId="scale-replicas"
        input={{ inputMode: 'numeric', autoFocus: true }}
      />
    </Dialog>
  );
}

function DeleteDialog({ deployment, onClose }: { deployment: Deployment; onClose(): void }) {
  const client = useClient();
  const actor = useActor();
  const action = useAction();
  const midRollout = deployment.rollout !== null && !['promoted', 'rolled-back', 'aborted'].includes(deployment.rollout.state);
  return (
    <Dialog
      title={`Delete ${deployment.name}?`}
      testId="delete-dialog"
      onClose={onClose}
      onSubmit={() =>
        void action.run(async () => {
          await client.call('serving.deleteDeployment', { name: deployment.name, actor });
          onClose();
          navigate(routeHref('deployments'));
        })
      }
      submit={{ label: 'Delete', busyLabel: 'Deleting…', busy: action.busy, testId: 'delete-submit' }}
    >
      <p>
        Its replicas stop, <code>{deployment.url}</code> stops answering, and its request log is removed. The model versions stay in the registry.
      </p>
      {midRollout && <p className="notice notice-warn">A rollout is running: it is stopped too.</p>}
      {action.error && <ErrorNotice title="Could not delete it." error={action.error} />}
    </Dialog>
  );
}
