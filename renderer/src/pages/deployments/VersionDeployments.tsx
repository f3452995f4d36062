import { useState } from 'react';
import type { DeploymentSummary } from '../../../../shared/contract/serving';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLiveQuery, type LiveResult } from '../../lib/use-live-query';
import { routeHref } from '../../routing/route';
import { navigate } from '../../routing/use-route';
import { CreateDeploymentDialog } from './CreateDeploymentDialog';
import { DeploymentTable } from './DeploymentList';
import '../../styles/serving.css';

/** The deployments that serve (or roll out) one model version, kept current by the serving events. */
export function useVersionDeployments(model: string, version: number): LiveResult<DeploymentSummary[]> {
  return useLiveQuery((c) => c.call('serving.listVersionDeployments', { model, version }), [model, version], {
    staleOn: { 'serving.deployment': true },
  });
}

interface VersionDeploymentsProps {
  model: string;
  version: number;
  deployments: LiveResult<DeploymentSummary[]>;
  /** Why this version cannot be served (then Deploy is off), null when it can. */
  unservable?: string | null;
}

/** The model version page's "Deployments" card: where this version serves, and a Deploy button. */
export function VersionDeployments({ model, version, deployments, unservable = null }: VersionDeploymentsProps) {
  const [deploying, setDeploying] = useState(false);
  const list = deployments.data ?? [];
  return (
    <Card
      title="Deployments"
      testId="version-deployments"
      className="card-wide"
      aside={
        <button type="button" className="btn btn-primary btn-small" onClick={() => setDeploying(true)} data-testid="open-deploy" disabled={unservable !== null} title={unservable ?? undefined}>
          Deploy…
        </button>
      }
    >
      {deployments.error && <ErrorNotice title="Could not read the deployments." error={deployments.error} onRetry={() => void deployments.reload()} />}
      {unservable && (
        <p className="muted small" data-testid="version-unservable">
          Deploy is off: {unservable}. Orrery serves MLflow model folders with a sklearn, xgboost or python_function flavor.
        </p>
      )}
      {deployments.data && list.length === 0 && <p className="muted">This version is not served anywhere.</p>}
      {list.length > 0 && <DeploymentTable deployments={list} showModel={false} />}
      {deploying && (
        <CreateDeploymentDialog
          prefill={{ model, version: String(version) }}
          onClose={() => setDeploying(false)}
          onCreated={(d) => navigate(routeHref('deployments', [d.name]))}
        />
      )}
    </Card>
  );
}
