import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLiveQuery } from '../../lib/use-live-query';
import { routeHref } from '../../routing/route';
import { AuditLog } from './AuditLog';
import { GatesEditor } from './GatesEditor';
import { gateLabel, gateTone, stageTone } from './model-badges';
import { formatWhen } from './model-format';
import { registryStale } from './registry-stale';
import '../../styles/experiments.css';
import '../../styles/run.css';

/** #/models/<name>: the versions, the model's gates, its approval requests and audit log. */
export function ModelDetail({ name }: { name: string }) {
  const model = useLiveQuery((client) => client.call('registry.getModel', { name }), [name], registryStale(name));
  const data = model.data;
  const open = data?.approvals.filter((a) => a.status === 'open') ?? [];

  return (
    <div className="page model-page" data-testid="model-page" aria-busy={model.loading}>
      <nav className="breadcrumbs">
        <a className="crumb" href={routeHref('models')}>
          Models
        </a>
        <span className="muted"> / </span>
      </nav>
      {model.error && <ErrorNotice title={`Could not read model “${name}”.`} error={model.error} onRetry={model.reload} />}
      {data && (
        <>
          <header className="page-head">
            <h1 data-testid="model-name">{data.name}</h1>
            {data.productionVersion !== null && <Badge tone="ok">Production: v{data.productionVersion}</Badge>}
            <span className="muted">
              {data.versionCount} version{data.versionCount === 1 ? '' : 's'} · updated {formatWhen(data.updatedAt)}
            </span>
          </header>
          {data.description && <p className="wrap page-description">{data.description}</p>}
          <div className="grid model-grid">
            <Card title="Versions" testId="versions" className="card-wide">
              {data.versions.length === 0 ? (
                <p className="muted">No versions yet: register one from a run.</p>
              ) : (
                <table className="exp-table">
                  <thead>
                    <tr>
                      <th>Version</th>
                      <th>Stage</th>
                      <th>Gates</th>
                      <th>Aliases</th>
                      <th>Flavor</th>
                      <th>Source run</th>
                      <th>Registered</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.versions.map((v) => (
                      <tr key={v.version} data-testid="version-row">
                        <td>
                          <a href={routeHref('models', [data.name, String(v.version)])}>v{v.version}</a>
                        </td>
                        <td>
                          <Badge tone={stageTone[v.stage]}>{v.stage}</Badge>
                        </td>
                        <td>
                          <Badge tone={gateTone[v.gateStatus]}>{gateLabel[v.gateStatus]}</Badge>
                        </td>
                        <td>
                          {v.aliases.map((a) => (
                            <span key={a} className="alias-chip">
                              @{a}
                            </span>
                          ))}
                        </td>
                        <td>{v.flavor}</td>
                        <td>{v.runId ? <a href={routeHref('runs', [v.runId])}>{v.runId.slice(0, 8)}</a> : <span className="muted">folder</span>}</td>
                        <td className="muted">
                          {formatWhen(v.createdAt)} by {v.createdBy}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Card>
            <GatesEditor name={data.name} gates={data.gates} onSaved={model.reload} />
            <Card title={`Open approval requests (${open.length})`} testId="open-requests">
              {open.length === 0 ? (
                <p className="muted">None. A version goes to Production after a request for it is approved.</p>
              ) : (
                <ul className="plain-list">
                  {open.map((r) => (
                    <li key={r.requestId}>
                      <a href={routeHref('models', [data.name, String(r.version)])}>v{r.version}</a> requested by {r.requestedBy} {formatWhen(r.requestedAt)}
                      {r.comment && <span className="muted"> — {r.comment}</span>}
                    </li>
                  ))}
                </ul>
              )}
            </Card>
            <AuditLog name={data.name} />
          </div>
        </>
      )}
    </div>
  );
}
