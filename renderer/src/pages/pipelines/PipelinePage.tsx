import { useClient } from '../../api/client-context';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../lib/use-action';
import { useLiveQuery } from '../../lib/use-live-query';
import { routeHref } from '../../routing/route';
import { navigate } from '../../routing/use-route';
import { dialectLabel } from './pipeline-format';
import { runTone } from './pipeline-tones';
import { pipelinesStale } from './pipelines-stale';
import { RunHistory } from './RunHistory';
import { TriggerSettings } from './TriggerSettings';
import { useNow } from './use-now';

/** #/pipelines/<file>: one pipeline file, its runs and its triggers, and buttons to run it now. */
export function PipelinePage({ file }: { file: string }) {
  const client = useClient();
  const data = useLiveQuery(
    async (c) => {
      const [all, runs] = await Promise.all([c.call('pipelines.list', {}), c.call('pipelines.listRuns', { file, limit: 50 })]);
      return { summary: all.find((p) => p.file === file) ?? null, runs };
    },
    [file],
    { staleOn: pipelinesStale(file) },
  );
  const start = useAction();
  const runs = data.data?.runs ?? [];
  const latest = runs[0] ?? null;
  // Every second while a run goes (its duration counts), else slowly for the "in 2 h" of triggers.
  const now = useNow(true, latest?.status === 'running' ? 1000 : 30_000);
  const summary = data.data?.summary ?? null;
  // A new run keeps the runner the last one was given (a dvc.yaml run as processes stays so).
  const runner = latest?.options.runner ?? null;

  const runNow = (force: boolean) =>
    start.run(async () => {
      const started = await client.call('pipelines.startRun', { file, force, ...(runner ? { runner } : {}) });
      navigate(routeHref('pipeline-runs', [started.runId]));
    });

  return (
    <div className="page pipeline-page" data-testid="pipeline-page" aria-busy={data.loading}>
      <a className="crumb" href={routeHref('pipelines')}>
        ← Pipelines
      </a>
      <header className="page-head">
        <h1 data-testid="pipeline-name">{summary?.name ?? latest?.name ?? file.split('/').pop()}</h1>
        {summary && <Badge tone="neutral">{dialectLabel(summary.dialect)}</Badge>}
        {latest && (
          <a href={routeHref('pipeline-runs', [latest.runId])}>
            <Badge tone={runTone[latest.status]} testId="pipeline-latest-status">
              {latest.status}
            </Badge>
          </a>
        )}
        <span className="spacer" />
        <button type="button" className="btn btn-primary" disabled={start.busy} onClick={() => void runNow(false)} data-testid="pipeline-run-now" title={runner ? `runner: ${runner}` : undefined}>
          Run now
        </button>
        <button
          type="button"
          className="btn"
          disabled={start.busy}
          onClick={() => void runNow(true)}
          data-testid="pipeline-force-run"
          title="Run every stage again, even those whose inputs did not change"
        >
          Force re-run
        </button>
      </header>
      <p className="muted mono pipeline-file" data-testid="pipeline-file">
        {file}
      </p>
      {start.error && <ErrorNotice title="Could not start the pipeline." error={start.error} />}
      {summary?.problem && (
        <div className="notice notice-error" data-testid="pipeline-problem">
          <p>
            <strong>The file cannot be read.</strong> {summary.problem}
          </p>
        </div>
      )}
      {data.error && <ErrorNotice title="Could not read the pipeline." error={data.error} onRetry={() => void data.reload()} />}
      <div className="grid pipeline-grid">
        <Card title={`Runs${runs.length > 0 ? ` (${runs.length})` : ''}`} testId="pipeline-history" className="card-wide">
          {data.data ? <RunHistory runs={runs} now={now} /> : !data.error && <p className="muted">Reading runs…</p>}
        </Card>
        <TriggerSettings file={file} now={now} />
      </div>
    </div>
  );
}
