import type { PipelineRunView, StageRunView } from '../../../../shared/contract/pipelines';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { Facts, type Fact } from '../../components/Facts';
import { formatDuration } from '../../lib/format';
import { stageElapsed, stageStatusText } from './pipeline-format';
import { stageTone } from './pipeline-tones';
import { stageLinks } from './stage-links';

interface StagePanelProps {
  run: PipelineRunView;
  stage: StageRunView;
  now: number;
  /** Re-runs the pipeline from this stage (earlier stages reused); absent while the run goes. */
  onRunFrom?: (stage: string) => void;
  busy: boolean;
}

/** One stage of a run: how it went, its key, what it said, and its job log, model version and deployment one click away. */
export function StagePanel({ run, stage, now, onRunFrom, busy }: StagePanelProps) {
  const elapsed = stageElapsed(stage, now);
  const rows: Fact[] = [
    ['Kind', stage.kind],
    ['Status', <Badge tone={stageTone[stage.status]} testId="stage-status">{stageStatusText(stage.status)}</Badge>],
    ['Cache', stage.cached ? 'hit: inputs and outputs unchanged, nothing ran' : stage.key === null ? '—' : 'miss', 'stage-cache'],
    ['Key', stage.key === null ? <span className="muted">not computed yet</span> : <code title={stage.key} className="wrap">{stage.key.slice(0, 16)}</code>, 'stage-key'],
    ['Needs', stage.needs.length === 0 ? <span className="muted">nothing</span> : stage.needs.join(', ')],
    ['Started', stage.startedAt === null ? '—' : new Date(stage.startedAt).toLocaleString()],
    ['Duration', elapsed === null ? '—' : formatDuration(elapsed), 'stage-duration'],
  ];

  const links = stageLinks(stage);
  return (
    <Card title={`Stage ${stage.name}`} testId="stage-panel" className="card-wide stage-panel">
      {stage.message && (
        <p className={stage.status === 'failed' ? 'stage-message stage-message-bad' : 'stage-message'} data-testid="stage-message">
          {stage.message}
        </p>
      )}
      <div className="stage-panel-body">
        <Facts rows={rows} />
        <div className="stage-links" data-testid="stage-links">
          {links.length === 0 ? (
            <p className="muted">{stage.status === 'pending' ? 'Not started yet.' : 'Nothing linked: a built-in stage says what it did below.'}</p>
          ) : (
            links.map((l) => (
              <a key={l.testId} className="btn stage-link" href={l.href} data-testid={l.testId}>
                {l.label}
              </a>
            ))
          )}
          {onRunFrom && (
            <button type="button" className="btn" disabled={busy} onClick={() => onRunFrom(stage.name)} data-testid="stage-run-from" title={`orrery pipeline run ${run.file} --from ${stage.name}`}>
              Re-run from this stage
            </button>
          )}
        </div>
      </div>
      {stage.log.length > 0 && (
        <pre className="stage-log" data-testid="stage-log">
          {stage.log.join('\n')}
        </pre>
      )}
    </Card>
  );
}
