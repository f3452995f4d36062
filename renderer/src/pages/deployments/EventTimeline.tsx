import type { DeploymentEventView } from '../../../../shared/contract/serving';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLiveQuery } from '../../lib/use-live-query';
import { formatClock, formatNumbers, localTimesIn } from './serving-format';

const decisionKinds = new Set(['promote', 'rollback', 'abort', 'advance', 'switch', 'replace']);

/** Decisions and changes, newest first, each with its reason and the numbers it saw; live from serving.decision. */
export function EventTimeline({ name }: { name: string }) {
  const events = useLiveQuery((c) => c.call('serving.listEvents', { name, limit: 200 }), [name], {
    staleOn: { 'serving.decision': (e) => e.deployment === name, 'serving.deployment': (e) => e.name === name },
    patch: { 'serving.decision': (list: DeploymentEventView[], e) => (e.deployment === name && !list.some((x) => x.id === e.id) ? [e, ...list] : list) },
  });
  const list = events.data ?? [];
  return (
    <Card title="Events" testId="event-timeline">
      {events.error && <ErrorNotice title="Could not read the events." error={events.error} onRetry={() => void events.reload()} />}
      {events.data && list.length === 0 && <p className="muted">Nothing has happened yet.</p>}
      <ol className="timeline">
        {list.map((e) => (
          <li key={e.id} className={decisionKinds.has(e.kind) ? 'timeline-decision' : undefined} data-testid="timeline-event" data-kind={e.kind}>
            <span className="timeline-time mono small">{formatClock(e.at)}</span>
            <span className={`timeline-kind timeline-kind-${e.kind}`}>{e.kind}</span>
            <span className="timeline-message">
              {localTimesIn(e.message)}
              {Object.keys(e.numbers).length > 0 && <span className="timeline-numbers muted small">{formatNumbers(e.numbers)}</span>}
              {e.actor && e.actor !== 'orrery' && <span className="muted small"> by {e.actor}</span>}
            </span>
          </li>
        ))}
      </ol>
    </Card>
  );
}
