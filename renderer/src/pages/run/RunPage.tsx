import { useEffect, useMemo, useState } from 'react';
import type { LatestMetric, RunDetail } from '../../../../shared/contract/tracking';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Facts, type Fact } from '../../components/Facts';
import { formatValue, metricNumber } from '../../charts/series-math';
import type { Route } from '../../routing/route';
import { ArtifactsPanel } from './ArtifactsPanel';
import { RunTags } from './RunTags';
import { JobSpecCard } from './JobSpecCard';
import { JobEndingNote } from './JobEndingNote';
import { LogsPanel } from './LogsPanel';
import { RunCharts } from './RunCharts';
import { SweepPanel } from './SweepPanel';
import { SWEEP_TAG } from '../../../../shared/contract/training';
import { hardwareSummary, isSystemKey, JOB_ID_TAG, runDuration, statusTone } from './run-format';
import { useLiveQuery } from '../../lib/use-live-query';
import { routeHref } from '../../routing/route';
import { navigate } from '../../routing/use-route';
import { RegisterModelDialog } from '../models/RegisterModelDialog';
import '../../styles/run.css';

/** #/runs/<runId>: one run, its provenance, params, metrics as charts, logs and artifacts. */
export function RunPage({ route }: { route: Route }) {
  const runId = route.params[0] ?? '';
  // Status changes (finished, failed) re-read the run; new metric values update its latest values at once.
  const run = useLiveQuery((client) => client.call('tracking.getRun', { runId }), [runId], {
    staleOn: { 'tracking.run': (event) => event.runId === runId },
    patch: { 'tracking.metrics': (data, event) => (event.runId === runId ? withLatest(data, event.latest) : data) },
    debounceMs: 0,
  });
  const [now, setNow] = useState(() => Date.now());
  const [registering, setRegistering] = useState(false);
  const data = run.data;
  const running = data?.status === 'RUNNING';
  const { reload } = run;

  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);

  const metrics = data?.metrics ?? {};
  const keys = useMemo(() => Object.keys(data?.metrics ?? {}).sort(), [data]);

  if (!/^[0-9a-f]{32}$/.test(runId)) return <p className="muted">“{runId}” is not a run id.</p>;

  return (
    <div className="page run-page" data-testid="run-page" aria-busy={run.loading}>
      {run.error && <ErrorNotice title="Could not read the run." error={run.error} onRetry={() => void reload()} />}
      {!data && run.loading && <p className="muted">Reading the run…</p>}
      {data && (
        <>
          <header className="page-head">
            <h1 data-testid="run-name">{data.name || data.runId}</h1>
            <Badge tone={statusTone(data.status)} testId="run-status">
              {data.status.toLowerCase()}
            </Badge>
            {data.tags[JOB_ID_TAG] && <JobEndingNote key={data.runId} runId={data.runId} />}
            <span className="muted">{runDuration(data, now)}</span>
            {data.startTime !== null && <span className="muted">started {new Date(data.startTime).toLocaleString()}</span>}
            <code className="muted run-id">{data.runId}</code>
            <span className="spacer" />
            <button type="button" className="btn" onClick={() => setRegistering(true)} disabled={data.lifecycleStage !== 'active'} data-testid="register-model">
              Register model…
            </button>
          </header>
          {registering && (
            <RegisterModelDialog
              source={{ type: 'run', runId: data.runId, runName: data.name }}
              onClose={() => setRegistering(false)}
              onRegistered={(v) => navigate(routeHref('models', [v.name, String(v.version)]))}
            />
          )}
          <div className="grid run-top">
            <Card title="Provenance" testId="provenance">
              <Facts rows={provenance(data)} />
            </Card>
            {data.tags[JOB_ID_TAG] && <JobSpecCard key={data.runId} runId={data.runId} tags={data.tags} />}
            <Card title={`Params (${Object.keys(data.params).length})`} testId="params">
              <KeyValueTable rows={Object.entries(data.params).sort(([a], [b]) => a.localeCompare(b))} empty="No params." />
            </Card>
            <RunTags runId={data.runId} tags={data.tags} editable={data.lifecycleStage === 'active'} onChanged={() => void reload()} />
            <Card title="Latest metrics" testId="latest-metrics">
              <KeyValueTable
                rows={Object.values(metrics)
                  .filter((m) => !isSystemKey(m.key))
                  .sort((a, b) => a.key.localeCompare(b.key))
                  .map((m) => [m.key, `${formatValue(metricNumber(m.value))}  (step ${m.step})`])}
                empty="No metrics."
              />
            </Card>
            {data.inputs.length > 0 && (
              <Card title="Dataset inputs" testId="inputs">
                <table className="kv">
                  <thead>
                    <tr>
                      <th>Name</th>
                      <th>Digest</th>
                      <th>Source</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.inputs.map((d) => (
                      <tr key={`${d.name}-${d.digest}`}>
                        <td>
                          {d.name}
                          {d.tags['mlflow.data.context'] ? <span className="muted"> ({d.tags['mlflow.data.context']})</span> : null}
                        </td>
                        <td>
                          <code>{d.digest.slice(0, 12)}</code>
                        </td>
                        <td className="wrap">
                          {d.sourceType}: {d.source}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Card>
            )}
          </div>
          {data.tags[SWEEP_TAG] === 'true' && <SweepPanel key={`sweep-${data.runId}`} runId={data.runId} />}
          <RunCharts key={data.runId} runId={data.runId} runName={data.name || data.runId} keys={keys} live={running} startTime={data.startTime} />
          <div className="grid run-bottom">
            {data.tags[JOB_ID_TAG] && <LogsPanel key={data.tags[JOB_ID_TAG]} jobId={data.tags[JOB_ID_TAG]} runId={data.runId} live={running} />}
            <ArtifactsPanel key={data.runId} runId={data.runId} experimentId={data.experimentId} />
          </div>
        </>
      )}
    </div>
  );
}

function provenance(run: RunDetail): Fact[] {
  const s = run.source;
  const git = s.gitCommit ? `${s.gitCommit.slice(0, 12)}${s.gitBranch ? ` on ${s.gitBranch}` : ''}${s.gitDirty ? ' (uncommitted changes)' : ''}` : null;
  const rows: Array<[string, string | null, string]> = [
    ['Image', s.imageDigest ?? run.tags['orrery.image'] ?? null, 'prov-image'],
    ['Git', git, 'prov-git'],
    ['Command', s.command, 'prov-command'],
    ['Source', s.sourceName, 'prov-source'],
    ['Runner', run.tags['orrery.runner'] ?? null, 'prov-runner'],
    ['Hardware', hardwareSummary(run.environment), 'prov-hardware'],
    ['User', run.userId || null, 'prov-user'],
  ];
  const present = rows.filter((r): r is [string, string, string] => r[1] !== null);
  if (present.length === 0) return [['Source', <span className="muted">not recorded</span>]];
  return present.map(([label, value, testId]) => [label, <code className="wrap">{value}</code>, testId] as const);
}

function KeyValueTable({ rows, empty }: { rows: Array<[string, string]>; empty: string }) {
  if (rows.length === 0) return <p className="muted">{empty}</p>;
  return (
    <div className="kv-scroll">
      <table className="kv">
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td className="wrap">{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The run with logged values newer than its last read. */
function withLatest(run: RunDetail, latest: readonly LatestMetric[]): RunDetail {
  const metrics = { ...run.metrics };
  for (const m of latest) metrics[m.key] = m;
  return { ...run, metrics };
}
