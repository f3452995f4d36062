import { useState } from 'react';
import type { PipelineRunView } from '../../../../shared/contract/pipelines';
import { useClient } from '../../api/client-context';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatDuration } from '../../lib/format';
import { useAction } from '../../lib/use-action';
import { useLiveQuery } from '../../lib/use-live-query';
import type { Route } from '../../routing/route';
import { routeHref } from '../../routing/route';
import { navigate } from '../../routing/use-route';
import { optionsText, reasonText, runElapsed, stageCounts } from './pipeline-format';
import { runTone } from './pipeline-tones';
import { DagLegend } from './DagLegend';
import { PipelineDag } from './PipelineDag';
import { StagePanel } from './StagePanel';
import { useNow } from './use-now';
import '../../styles/experiments.css';
import '../../styles/launch.css';
import '../../styles/models.css';
import '../../styles/run.css';
import '../../styles/pipelines.css';

/** #/pipeline-runs/<runId>: one pipeline run as a live DAG, and the stage picked in it. */
export function PipelineRunPage({ route }: { route: Route }) {
  const runId = route.params[0] ?? '';
  const client = useClient();
  // Each stage change arrives as an event of this run; the run is read again at once.
  const run = useLiveQuery((c) => c.call('pipelines.getRun', { runId }), [runId], {
    staleOn: { 'pipelines.run': (e) => e.runId === runId },
    debounceMs: 50,
  });
  const [picked, setPicked] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const start = useAction();
  const data = run.data;
  const running = data?.status === 'running';
  const now = useNow(running);

  // Until one is picked, a failed stage (or one waiting for its approval) is open: that is what the user came to see.
  const selectedName = picked ?? data?.stages.find((s) => s.status === 'failed' || s.status === 'waiting-approval')?.name ?? null;
  const selected = data?.stages.find((s) => s.name === selectedName) ?? null;

  const runFrom = (data: PipelineRunView, stage: string) =>
    start.run(async () => {
      const started = await client.call('pipelines.startRun', { file: data.file, from: stage, ...(data.options.runner ? { runner: data.options.runner } : {}) });
      navigate(routeHref('pipeline-runs', [started.runId]));
    });

  return (
    <div className="page pipeline-run-page" data-testid="pipeline-run-page" aria-busy={run.loading}>
      {run.error && <ErrorNotice title="Could not read the pipeline run." error={run.error} onRetry={() => void run.reload()} />}
      {!data && run.loading && <p className="muted">Reading the pipeline run…</p>}
      {data && (
        <>
          <a className="crumb" href={routeHref('pipelines', [data.file])} title={data.file}>
            ← {data.name}
          </a>
          <header className="page-head">
            <h1 data-testid="pipeline-run-name">{data.name}</h1>
            <Badge tone={runTone[data.status]} testId="pipeline-run-status">
              {data.status}
            </Badge>
            <span className="muted" data-testid="pipeline-run-elapsed">
              {formatDuration(runElapsed(data, now))}
            </span>
            <span className="muted">started {new Date(data.createdAt).toLocaleString()}</span>
            <span className="spacer" />
            {running && (
              <button type="button" className="btn btn-danger" onClick={() => setCancelling(true)} data-testid="pipeline-cancel">
                Cancel…
              </button>
            )}
          </header>
          <p className="muted pipeline-run-facts">
            <span data-testid="pipeline-run-reason">{reasonText(data.reason)}</span>
            {optionsText(data.options) && <code> {optionsText(data.options)}</code>}
            <span> · {stageCounts(data.stages)}</span>
            <code className="run-id"> {data.runId}</code>
          </p>
          {data.error && (
            <div className="notice notice-error" data-testid="pipeline-run-error">
              <p>{data.error}</p>
            </div>
          )}
          {start.error && <ErrorNotice title="Could not start the pipeline." error={start.error} />}
          <div className="grid pipeline-grid">
            <Card title="Stages" testId="pipeline-stages" className="card-wide dag-card">
              {data.stages.length === 0 ? (
                <p className="muted">This run has no stages.</p>
              ) : (
                <PipelineDag stages={data.stages} selected={selectedName} now={now} onSelect={setPicked} />
              )}
              <DagLegend />
            </Card>
            {selected ? (
              <StagePanel
                key={selected.name}
                run={data}
                stage={selected}
                now={now}
                busy={start.busy}
                {...(running ? {} : { onRunFrom: (stage: string) => void runFrom(data, stage) })}
              />
            ) : (
              <p className="muted stage-hint">Pick a stage to see its key, messages and log, and its run, model version or deployment.</p>
            )}
          </div>
          {cancelling && (
            <ConfirmDialog
              title={`Cancel ${data.name}?`}
              testId="cancel-pipeline"
              confirm={{ label: 'Cancel the run', busyLabel: 'Cancelling…' }}
              onConfirm={async () => {
                const after = await client.call('pipelines.cancel', { runId });
                run.setData(() => after);
              }}
              onClose={() => setCancelling(false)}
            >
              <p>Its running jobs are cancelled and nothing further starts. Stages that finished stay cached for the next run.</p>
            </ConfirmDialog>
          )}
        </>
      )}
    </div>
  );
}
