import type { PipelineSummary } from '../../../../shared/contract/pipelines';
import { Badge } from '../../components/Badge';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatDuration } from '../../lib/format';
import { useLiveQuery } from '../../lib/use-live-query';
import { routeHref } from '../../routing/route';
import { dialectLabel, relativeTime, shortPath, untimedTriggerText } from './pipeline-format';
import { runTone } from './pipeline-tones';
import { pipelinesStale } from './pipelines-stale';
import { RunPipelineForm } from './RunPipelineForm';
import { useNow } from './use-now';

/** #/pipelines: every pipeline file this app ran or watches, its last run and its next trigger. */
export function PipelineList() {
  const list = useLiveQuery((c) => c.call('pipelines.list', {}), [], { staleOn: pipelinesStale() });
  const pipelines = list.data;
  // "3 m ago" and "in 2 h" move on their own; a minute is fine enough for them.
  const now = useNow(pipelines !== null && pipelines.length > 0, 30_000);

  return (
    <div className="page pipelines-page" data-testid="pipelines-page" aria-busy={list.loading}>
      <header className="page-head">
        <h1>Pipelines</h1>
        {pipelines && pipelines.length > 0 && (
          <span className="muted">
            {pipelines.length} {pipelines.length === 1 ? 'pipeline' : 'pipelines'}, {pipelines.filter((p) => p.lastRun?.status === 'running').length} running
          </span>
        )}
      </header>
      {list.error && <ErrorNotice title="Could not read the pipelines." error={list.error} onRetry={() => void list.reload()} />}
      {pipelines === null && !list.error && <p className="muted">Reading pipelines…</p>}
      {pipelines && pipelines.length === 0 && (
        <div className="queue-empty-state" data-testid="pipelines-empty">
          <h2>No pipelines yet</h2>
          <p>
            A <strong>pipeline</strong> is a file of stages (validate the data, train, evaluate, register, deploy) that Orrery runs in order, skipping every stage whose
            inputs did not change, and starts again by itself on a schedule, a dataset change, a new commit or a drift alert. An existing <code>dvc.yaml</code> runs
            unchanged.
          </p>
          <p className="muted">
            From a terminal: <code>orrery pipeline run FILE</code>, or give the file here:
          </p>
          <RunPipelineForm />
        </div>
      )}
      {pipelines && pipelines.length > 0 && (
        <>
          <PipelineTable pipelines={pipelines} now={now} />
          <section className="pipelines-run-file" aria-labelledby="run-file-title">
            <h2 id="run-file-title">Run a pipeline file…</h2>
            <RunPipelineForm />
          </section>
        </>
      )}
    </div>
  );
}

function PipelineTable({ pipelines, now }: { pipelines: readonly PipelineSummary[]; now: number }) {
  return (
    <table className="exp-table pipelines-table" data-testid="pipelines-table">
      <thead>
        <tr>
          <th scope="col">Pipeline</th>
          <th scope="col">Last run</th>
          <th scope="col">Next trigger</th>
          <th scope="col" className="num">
            Triggers
          </th>
        </tr>
      </thead>
      <tbody>
        {pipelines.map((p) => (
          <tr key={p.file} data-testid="pipeline-row" data-file={p.file}>
            <td>
              <div className="pipeline-title">
                <a href={routeHref('pipelines', [p.file])} className="pipeline-name">
                  {p.name}
                </a>
                <Badge tone="neutral" testId="pipeline-dialect">
                  {dialectLabel(p.dialect)}
                </Badge>
                <span className="muted small">{p.stageCount === 1 ? '1 stage' : `${p.stageCount} stages`}</span>
              </div>
              <div className="muted mono small" title={p.file} data-testid="pipeline-file">
                {shortPath(p.file, 3)}
              </div>
              {p.problem && (
                <div className="pipeline-problem" data-testid="pipeline-problem">
                  {p.problem}
                </div>
              )}
            </td>
            <td>
              {p.lastRun ? (
                <a href={routeHref('pipeline-runs', [p.lastRun.runId])} className="pipeline-last-run">
                  <Badge tone={runTone[p.lastRun.status]} testId="pipeline-last-status">
                    {p.lastRun.status}
                  </Badge>{' '}
                  <span className="muted" title={new Date(p.lastRun.createdAt).toLocaleString()}>
                    {relativeTime(p.lastRun.createdAt, now, formatDuration)}
                  </span>
                </a>
              ) : (
                <span className="muted">never run</span>
              )}
            </td>
            <td data-testid="pipeline-next-trigger">
              {p.nextTriggerAt === null ? (
                <span className="muted">{untimedTriggerText(p.triggers)}</span>
              ) : (
                <span title={new Date(p.nextTriggerAt).toLocaleString()}>{relativeTime(p.nextTriggerAt, now, formatDuration)}</span>
              )}
            </td>
            <td className="num" data-testid="pipeline-trigger-count">
              {p.triggers.length}
              {p.triggers.some((t) => t.problem) && (
                <span className="pipeline-problem-mark" title={p.triggers.map((t) => t.problem).filter(Boolean).join('\n')}>
                  {' '}
                  ⚠
                </span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
