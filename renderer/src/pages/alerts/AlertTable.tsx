import { useState } from 'react';
import type { AlertView } from '../../../../shared/contract/monitoring';
import { useClient } from '../../api/client-context';
import { Badge } from '../../components/Badge';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../lib/use-action';
import { routeHref } from '../../routing/route';
import { formatClock, localTimesIn } from '../deployments/serving-format';
import { useActor } from '../models/use-actor';
import { SilenceDialog } from './SilenceDialog';
import { isSilenced, lastChangeAt, needsAttention } from './alert-order';
import { alertValueText } from './alert-text';
import { pipelineAlertHref, pipelineFailureSubject, pipelineOf } from './pipeline-alert';
import { toDateTimeLocal } from './silence-time';
import { alertTone } from '../monitoring/monitoring-tones';

interface AlertTableProps {
  alerts: readonly AlertView[];
  /** The inbox names each alert's deployment (or pipeline); a deployment's own list does not. */
  showDeployment: boolean;
  /** An alert's new state after an action, to show before the event's re-read. */
  onChanged(next: AlertView): void;
  testId?: string;
}

/** Alerts with their state, what they measured, and Acknowledge / Silence. */
export function AlertTable({ alerts, showDeployment, onChanged, testId = 'alert-table' }: AlertTableProps) {
  const [silencing, setSilencing] = useState<AlertView | null>(null);
  const now = Date.now();
  return (
    <div className="table-scroll">
      <table className="jobs-table alert-table" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">State</th>
            {showDeployment && <th scope="col">Source</th>}
            <th scope="col">Alert</th>
            <th scope="col">Since</th>
            <th scope="col" className="alert-actions-cell">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((a) => {
            const pipeline = pipelineOf(a);
            return (
              <tr key={a.id} data-testid="alert-row" data-alert={a.id} data-state={a.state} data-acknowledged={a.acknowledgedAt !== null} data-source={pipeline ? 'pipeline' : 'rule'} className={needsAttention(a) ? 'alert-row-new' : undefined}>
                <td>
                  <Badge tone={alertTone[a.state]} testId="alert-state">
                    {a.state}
                  </Badge>
                </td>
                {showDeployment && (
                  <td className="alert-source-cell">
                    {pipeline ? (
                      <>
                        <span className="muted small">pipeline</span>{' '}
                        <a href={pipelineAlertHref(pipeline)} title={pipeline.file} data-testid="alert-pipeline-link">
                          {pipeline.name}
                        </a>
                      </>
                    ) : (
                      a.deployment !== null && <a href={routeHref('deployments', [a.deployment])}>{a.deployment}</a>
                    )}
                  </td>
                )}
                <td>
                  <strong>{a.name}</strong> <span className="muted small">{pipeline ? pipelineFailureSubject(pipeline) : a.metric}</span>
                  <div className="small" data-testid="alert-message">
                    {localTimesIn(a.message)}
                  </div>
                  <div className="small muted">
                    {pipeline ? (
                      <a href={pipelineAlertHref(pipeline)} data-testid="alert-run-link">
                        {pipeline.runId !== null ? 'open the failed run' : 'open the pipeline'}
                      </a>
                    ) : (
                      alertValueText(a)
                    )}
                    {a.acknowledgedAt !== null && ` · acknowledged by ${a.acknowledgedBy ?? 'someone'} at ${formatClock(a.acknowledgedAt)}`}
                    {isSilenced(a, now) && ` · silenced until ${toDateTimeLocal(a.silencedUntil!).replace('T', ' ')}`}
                  </div>
                </td>
                <td className="mono small nowrap">{formatClock(lastChangeAt(a))}</td>
                <td className="alert-actions-cell">
                  <AlertActions alert={a} onChanged={onChanged} onSilence={() => setSilencing(a)} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {silencing && <SilenceDialog alert={silencing} onClose={() => setSilencing(null)} onDone={onChanged} />}
    </div>
  );
}

function AlertActions({ alert, onChanged, onSilence }: { alert: AlertView; onChanged(next: AlertView): void; onSilence(): void }) {
  const client = useClient();
  const actor = useActor();
  const ack = useAction();
  return (
    <span className="alert-actions">
      {alert.acknowledgedAt === null && alert.state !== 'resolved' && (
        <button type="button" className="btn btn-small" disabled={ack.busy} onClick={() => void ack.run(async () => onChanged(await client.call('monitoring.acknowledgeAlert', { id: alert.id, actor })))} data-testid="alert-acknowledge">
          {ack.busy ? 'Acknowledging…' : 'Acknowledge'}
        </button>
      )}
      {/* A pipeline alert has no rule to silence: it is told once per failing streak. */}
      {alert.state !== 'resolved' && alert.ruleId !== null && (
        <button type="button" className="btn btn-small" onClick={onSilence} data-testid="alert-silence">
          Silence…
        </button>
      )}
      {ack.error && <ErrorNotice title="Could not acknowledge." error={ack.error} />}
    </span>
  );
}
