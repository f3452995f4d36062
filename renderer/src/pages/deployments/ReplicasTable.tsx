import type { DeploymentVersionView } from '../../../../shared/contract/serving';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { replicaTone } from './serving-tones';

/** Every replica of every version: its state, its own direct URL, restarts and why it is not ready. */
export function ReplicasTable({ versions }: { versions: readonly DeploymentVersionView[] }) {
  const rows = versions.flatMap((v) => v.replicas.map((r) => ({ ...r, role: v.role })));
  return (
    <Card title={`Replicas (${rows.length})`} testId="replicas" className="deploy-span-all">
      {rows.length === 0 ? (
        <p className="muted">No replica is running.</p>
      ) : (
        <div className="table-scroll">
          <table className="jobs-table">
            <thead>
              <tr>
                <th scope="col">Replica</th>
                <th scope="col">Version</th>
                <th scope="col">State</th>
                <th scope="col">Direct URL</th>
                <th scope="col">Restarts</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.replicaId} data-testid="replica-row" data-state={r.state}>
                  <td className="mono small" title={r.containerId ?? undefined}>
                    {r.replicaId}
                    {r.gpuIndices.length > 0 && <span className="muted"> · GPU {r.gpuIndices.join(', ')}</span>}
                  </td>
                  <td>
                    v{r.version} <span className="muted">{r.role}</span>
                  </td>
                  <td>
                    <Badge tone={replicaTone[r.state]}>{r.state}</Badge>
                  </td>
                  <td className="mono small">{r.url}</td>
                  <td className="num">{r.restarts}</td>
                  <td className="reason">
                    {r.reason && <pre className="replica-reason">{r.reason}</pre>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
