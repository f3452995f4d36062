import type { PipelineRunView } from '../../../../shared/contract/pipelines';
import { Badge } from '../../components/Badge';
import { formatDuration } from '../../lib/format';
import { routeHref } from '../../routing/route';
import { optionsText, reasonText, runElapsed, stageCounts } from './pipeline-format';
import { runTone } from './pipeline-tones';

/** A pipeline's runs, newest first: how each ended, what started it, when, for how long. */
export function RunHistory({ runs, now }: { runs: readonly PipelineRunView[]; now: number }) {
  if (runs.length === 0) return <p className="muted">Not run yet.</p>;
  return (
    <table className="exp-table pipeline-runs-table" data-testid="pipeline-runs">
      <thead>
        <tr>
          <th scope="col">Started</th>
          <th scope="col">Status</th>
          <th scope="col">Reason</th>
          <th scope="col" className="num">
            Duration
          </th>
          <th scope="col">Stages</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.runId} data-testid="pipeline-run-row" data-run-id={run.runId} data-status={run.status}>
            <td>
              <a href={routeHref('pipeline-runs', [run.runId])}>{new Date(run.createdAt).toLocaleString()}</a>
              {optionsText(run.options) && <div className="muted mono small">{optionsText(run.options)}</div>}
            </td>
            <td>
              <Badge tone={runTone[run.status]}>{run.status}</Badge>
            </td>
            <td className="wrap">
              {reasonText(run.reason)}
              {run.error && <div className="pipeline-problem">{run.error}</div>}
            </td>
            <td className="num">{formatDuration(runElapsed(run, now))}</td>
            <td className="muted small">{stageCounts(run.stages)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
