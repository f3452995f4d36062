import { useState } from 'react';
import type { ModelVersionDetail } from '../../../../shared/contract/registry';
import type { DeploymentSummary } from '../../../../shared/contract/serving';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Facts } from '../../components/Facts';
import { formatValue, metricNumber } from '../../charts/series-math';
import { formatBytes } from '../../lib/format';
import { useLiveQuery } from '../../lib/use-live-query';
import { routeHref } from '../../routing/route';
import { AliasControls } from './AliasControls';
import { ApprovalPanel } from './ApprovalPanel';
import { LineageGraph } from './LineageGraph';
import { gateLabel, gateTone, stageTone } from './model-badges';
import { describeActual, describeGate, formatWhen, shortDigest } from './model-format';
import { PushDialog } from './PushDialog';
import { VersionDeployments, useVersionDeployments } from '../deployments/VersionDeployments';
import { unservableReason } from '../deployments/servable-versions';
import { StageControls } from './StageControls';
import { registryStale } from './registry-stale';
import '../../styles/experiments.css';
import '../../styles/run.css';

/** #/models/<name>/<version>: one version's files, metrics, gates, lineage, stage, aliases, approval and pushes. */
export function VersionPage({ name, version }: { name: string; version: number }) {
  const loaded = useLiveQuery(
    (client) => Promise.all([client.call('registry.getVersion', { name, version }), client.call('registry.getModel', { name })]),
    [name, version],
    registryStale(name),
  );
  const [pushing, setPushing] = useState(false);
  const deployments = useVersionDeployments(name, version);
  const [v, model] = loaded.data ?? [null, null];
  const approved = v?.approvals.some((a) => a.status === 'approved') ?? false;

  return (
    <div className="page version-page" data-testid="version-page" aria-busy={loaded.loading}>
      <nav className="breadcrumbs">
        <a className="crumb" href={routeHref('models')}>
          Models
        </a>
        <span className="muted"> / </span>
        <a className="crumb" href={routeHref('models', [name])}>
          {name}
        </a>
      </nav>
      {loaded.error && <ErrorNotice title={`Could not read ${name} version ${version}.`} error={loaded.error} onRetry={loaded.reload} />}
      {v && model && (
        <>
          <header className="page-head">
            <h1 data-testid="version-title">
              {v.name} <span className="muted">v{v.version}</span>
            </h1>
            <Badge tone={stageTone[v.stage]} testId="version-stage">
              {v.stage}
            </Badge>
            <Badge tone={gateTone[v.gateStatus]} testId="version-gates">
              {gateLabel[v.gateStatus]}
            </Badge>
            {v.aliases.map((a) => (
              <span key={a} className="alias-chip">
                @{a}
              </span>
            ))}
            <span className="spacer" />
            <button
              type="button"
              className="btn btn-primary"
              disabled={!approved}
              title={approved ? undefined : 'Only approved versions are pushed: request approval first.'}
              onClick={() => setPushing(true)}
              data-testid="open-push"
            >
              Push to registry…
            </button>
          </header>
          {v.description && <p className="wrap page-description">{v.description}</p>}
          <div className="grid version-grid">
            <Card title="Version" testId="version-facts">
              <Facts rows={facts(v)} />
            </Card>
            <Card title="Stage and aliases" testId="stage-card">
              <StageControls key={`${v.stage}-${v.updatedAt}`} version={v} productionVersion={model.productionVersion} onChanged={loaded.reload} />
              <AliasControls version={v} onChanged={loaded.reload} />
              {v.transitions.length > 0 && (
                <ul className="plain-list transitions" data-testid="transitions">
                  {v.transitions.map((t, i) => (
                    <li key={i} className="muted">
                      {t.from} → {t.to} by {t.actor} {formatWhen(t.at)}
                    </li>
                  ))}
                </ul>
              )}
            </Card>
            <ApprovalPanel version={v} onChanged={loaded.reload} />
            <Card title="Gates" testId="gate-results" aside={<a href={routeHref('models', [name])}>edit</a>}>
              {v.gates.length === 0 ? (
                <p className="muted">The model has no gates.</p>
              ) : (
                <table className="kv">
                  <tbody>
                    {v.gates.map((g, i) => (
                      <tr key={i} data-testid="gate-result">
                        <th scope="row">
                          <Badge tone={g.passed ? 'ok' : 'bad'}>{g.passed ? 'pass' : 'fail'}</Badge>
                        </th>
                        <td>{describeGate(g.gate)}</td>
                        <td>{describeActual(g)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Card>
            <Card title="Metrics at registration" testId="version-metrics">
              {Object.keys(v.metrics).length === 0 ? (
                <p className="muted">No metrics (registered from a folder, or the run logged none).</p>
              ) : (
                <table className="kv">
                  <tbody>
                    {Object.entries(v.metrics)
                      .sort(([a], [b]) => a.localeCompare(b))
                      .map(([k, value]) => (
                        <tr key={k}>
                          <th scope="row">{k}</th>
                          <td>{formatValue(metricNumber(value))}</td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              )}
            </Card>
            <Card title={`Files (${v.files.length}, ${formatBytes(v.totalSize)})`} testId="version-files">
              <div className="kv-scroll">
                <table className="kv">
                  <tbody>
                    {v.files.map((f) => (
                      <tr key={f.path} data-testid="version-file">
                        <th scope="row" className="wrap">
                          {f.path}
                        </th>
                        <td className="nowrap">{formatBytes(f.size)}</td>
                        <td className="nowrap" title={`sha256:${f.sha256}`}>
                          {f.sha256.slice(0, 12)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </Card>
            {v.inputSchema !== null && (
              <Card title="Input schema" testId="input-schema">
                <SchemaTable schema={v.inputSchema} />
              </Card>
            )}
            <VersionDeployments model={name} version={version} deployments={deployments} unservable={unservableReason(v)} />
            <LineageGraph version={v} deployments={lineageDeployments(deployments.data ?? [], version)} />
            {v.pushes.length > 0 && (
              <Card title="Pushes" testId="pushes" className="card-wide">
                <ul className="plain-list">
                  {v.pushes.map((p, i) => (
                    <li key={i}>
                      <code className="wrap">{p.reference.split('@')[0]}</code> <span className="muted">@{shortDigest(p.digest)}</span> by {p.actor} {formatWhen(p.at)}
                    </li>
                  ))}
                </ul>
              </Card>
            )}
          </div>
          {pushing && <PushDialog version={v} onClose={() => setPushing(false)} onPushed={loaded.reload} />}
        </>
      )}
    </div>
  );
}

/** This version's part in each deployment that serves it, for the lineage graph. */
function lineageDeployments(list: readonly DeploymentSummary[], version: number) {
  return list.map((d) => {
    const mine = d.versions.find((x) => x.version === version);
    return { name: d.name, status: d.status, weight: mine?.weight ?? 0, role: mine?.role ?? 'not serving' };
  });
}

function facts(v: ModelVersionDetail) {
  // A pulled version's own lineage is the registry; the run, git and params are the pushing side's, from the model card.
  const pulled = v.lineage.pulledFrom !== undefined;
  const origin = (pulled ? v.lineage.originalLineage : v.lineage) ?? null;
  const fromCard = pulled ? <span className="muted"> (from the model card)</span> : null;
  const source =
    pulled ? (
      <>
        pulled from <code className="wrap">{v.lineage.pulledFrom}</code>
      </>
    ) : v.source.type === 'run' ? (
      <a href={routeHref('runs', [v.source.runId])}>
        run {v.lineage.runName || v.source.runId.slice(0, 8)}
        {v.source.path ? ` / ${v.source.path}` : ''}
      </a>
    ) : (
      <code className="wrap">{v.source.path}</code>
    );
  const git = origin?.gitCommit ? `${origin.gitCommit.slice(0, 12)}${origin.gitBranch ? ` on ${origin.gitBranch}` : ''}${origin.gitDirty ? ' (uncommitted changes)' : ''}` : null;
  const params = Object.entries(origin?.params ?? {});
  const notRecorded = <span className="muted">not recorded</span>;
  return [
    ['Flavor', `${v.flavor}${v.flavor === 'mlflow' && v.flavors.length ? ` (${v.flavors.join(', ')})` : ''}`, 'version-flavor'],
    ['Source', source, 'version-source'],
    ...(pulled ? ([['Digest', <code className="wrap">{v.lineage.digest}</code>]] as const) : []),
    ...(pulled && origin?.runId ? ([['Trained in', <>run {origin.runName ?? origin.runId}{origin.experimentName ? ` of ${origin.experimentName}` : ''}{fromCard}</>]] as const) : []),
    ['Image', origin?.imageDigest ? <code className="wrap">{origin.imageDigest}</code> : notRecorded],
    ['Git', git ? <><code>{git}</code>{fromCard}</> : notRecorded],
    ['Params', params.length ? <>{params.map(([k, p]) => `${k}=${p}`).join(', ')}{fromCard}</> : <span className="muted">none</span>],
    ['Registered', `${formatWhen(v.createdAt)} by ${v.createdBy}`],
  ] as const;
}

/** MLflow signature inputs: a list of {name, type} columns (or tensor specs). */
function SchemaTable({ schema }: { schema: unknown }) {
  if (!Array.isArray(schema)) return <pre className="plain-output">{JSON.stringify(schema, null, 2)}</pre>;
  return (
    <table className="kv">
      <tbody>
        {schema.map((col: { name?: string; type?: string; 'tensor-spec'?: unknown }, i) => (
          <tr key={i}>
            <th scope="row">{col.name ?? `input ${i + 1}`}</th>
            <td>{col.type === 'tensor' ? `tensor ${JSON.stringify(col['tensor-spec'])}` : (col.type ?? JSON.stringify(col))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
