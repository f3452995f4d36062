import type { StageRunStatus } from '../../../../shared/contract/pipelines';
import { stageStatusText } from './pipeline-format';

const shown: readonly StageRunStatus[] = ['pending', 'running', 'waiting-approval', 'succeeded', 'cached', 'failed', 'skipped'];

/** What the node colours mean. */
export function DagLegend() {
  return (
    <ul className="dag-legend" aria-label="Status colours">
      {shown.map((status) => (
        <li key={status}>
          <span className={`dag-swatch dag-${status}`} aria-hidden="true" />
          {stageStatusText(status)}
        </li>
      ))}
    </ul>
  );
}
