import { useState } from 'react';
import type { DeploymentSummary } from '../../../../shared/contract/serving';
import { Badge } from '../../components/Badge';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLiveQuery } from '../../lib/use-live-query';
import { usePolling } from '../../lib/use-polling';
import { routeHref } from '../../routing/route';
import { navigate } from '../../routing/use-route';
import { CreateDeploymentDialog } from './CreateDeploymentDialog';
import { TrafficBar } from './TrafficBar';
import { formatMs, formatRate, formatRps, rolloutStateLabel } from './serving-format';
import { rolloutStateTone, statusTone } from './serving-tones';

const POLL_MS = 2000;

/** #/deployments: every deployment with its traffic split and live numbers. */
export function DeploymentList() {
  const list = useLiveQuery((c) => c.call('serving.listDeployments', {}), [], {
    staleOn: { 'serving.deployment': true, 'serving.decision': true },
  });
  // Requests/s, p95 and error rate have no event: poll them while the page is in view.
  usePolling(() => void list.reload(), POLL_MS);
  const [creating, setCreating] = useState(false);
  const deployments = list.data;

  return (
    <div className="page deployments-page" aria-busy={deployments === null}>
      <header className="page-head">
        <h1>Deployments</h1>
        {deployments && <span className="muted">{deployments.length === 0 ? 'nothing served' : `${deployments.filter((d) => d.status === 'running').length} of ${deployments.length} running`}</span>}
        <span className="spacer" />
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)} data-testid="new-deployment">
          New deployment
        </button>
      </header>
      {list.error && <ErrorNotice title="Could not read the deployments." error={list.error} onRetry={() => void list.reload()} />}
      {deployments === null && !list.error && <p className="muted">Reading deployments…</p>}
      {deployments && deployments.length === 0 && (
        <div className="queue-empty-state" data-testid="deployments-empty">
          <h2>No deployments yet</h2>
          <p>
            A <strong>deployment</strong> serves a registered model version on a stable URL on this machine, speaking MLflow's scoring protocol, so existing clients call it
            unchanged. Later versions roll out behind the same URL as a canary, a blue-green switch, a rolling replacement or a shadow, promoted or rolled back on the numbers.
          </p>
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            New deployment
          </button>
        </div>
      )}
      {deployments && deployments.length > 0 && <DeploymentTable deployments={deployments} />}
      {creating && <CreateDeploymentDialog onClose={() => setCreating(false)} onCreated={(d) => navigate(routeHref('deployments', [d.name]))} />}
    </div>
  );
}

export function DeploymentTable({ deployments, showModel = true }: { deployments: readonly DeploymentSummary[]; showModel?: boolean }) {
  return (
    <table className="jobs-table deployments-table" data-testid="deployments-table">
      <thead>
        <tr>
          <th scope="col">Deployment</th>
          {showModel && <th scope="col">Model</th>}
          <th scope="col">Status</th>
          <th scope="col">Traffic</th>
          <th scope="col">Rollout</th>
          <th scope="col" className="num">
            Requests/s
          </th>
          <th scope="col" className="num">
            p95
          </th>
          <th scope="col" className="num">
            Errors
          </th>
        </tr>
      </thead>
      <tbody>
        {deployments.map((d) => (
          <tr key={d.name} data-testid="deployment-row" data-name={d.name} data-status={d.status}>
            <td>
              <a href={routeHref('deployments', [d.name])} className="job-name">
                {d.name}
              </a>
              <div className="muted mono small">{d.url}</div>
            </td>
            {showModel && (
              <td>
                <a href={routeHref('models', [d.modelName])}>{d.modelName}</a>
              </td>
            )}
            <td>
              <Badge tone={statusTone[d.status]} testId="deployment-row-status">
                {d.status}
              </Badge>
              {d.versions.some((v) => !v.approved && v.weight > 0) && (
                <>
                  {' '}
                  <Badge tone="warn">unapproved</Badge>
                </>
              )}
            </td>
            <td className="traffic-cell">
              <TrafficBar versions={d.versions} compact stopped={d.status === 'stopped'} />
            </td>
            <td>
              {d.rolloutState ? (
                <Badge tone={rolloutStateTone[d.rolloutState]} testId="deployment-row-rollout">
                  {rolloutStateLabel[d.rolloutState]}
                </Badge>
              ) : (
                <span className="muted">—</span>
              )}
            </td>
            <td className="num" data-testid="deployment-row-rps">
              {d.status === 'stopped' ? '—' : formatRps(d.requestsPerSecond)}
            </td>
            <td className="num">{formatMs(d.p95Ms)}</td>
            <td className="num">{formatRate(d.errorRate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
