import { useState } from 'react';
import type { Deployment, RolloutView } from '../../../../shared/contract/serving';
import { useClient } from '../../api/client-context';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../lib/use-action';
import { useActor } from '../models/use-actor';
import { ConfirmActionDialog } from './ConfirmActionDialog';
import type { ConfirmedAction } from './action-confirmations';
import {
  allowedRolloutActions,
  checkLabel,
  formatCheckValue,
  formatClock,
  formatMs,
  formatNumbers,
  formatRate,
  isRolloutDecision,
  limitComparator,
  localTimesIn,
  plural,
  rolloutEnded,
  rolloutStateText,
  sentence,
  type RolloutAction,
} from './serving-format';
import { rolloutStateTone } from './serving-tones';

const actionMethod = {
  promote: 'serving.promoteRollout',
  rollback: 'serving.rollbackRollout',
  pause: 'serving.pauseRollout',
  resume: 'serving.resumeRollout',
  abort: 'serving.abortRollout',
} as const satisfies Record<RolloutAction, string>;

const actionLabel: Record<RolloutAction, string> = { promote: 'Promote now…', rollback: 'Roll back…', pause: 'Pause', resume: 'Resume', abort: 'Abort…' };

/** Actions that change what the live URL serves are confirmed first; pause and resume are not. */
const confirmed: ReadonlySet<RolloutAction> = new Set(['promote', 'rollback', 'abort']);

/** What the candidate gets, as the panel reads it: a shadow's copies only while the shadow runs. */
function candidateShare(rollout: RolloutView): string {
  if (rollout.state === 'promoted') return `${rollout.candidateWeight || 100}% (now stable)`;
  if (rolloutEnded(rollout.state)) return `${rollout.candidateWeight}%`;
  return rollout.strategy === 'shadow' ? `copies of ${rollout.settings.shadowShare}% of requests` : `${rollout.candidateWeight}%`;
}

interface RolloutPanelProps {
  deployment: Deployment;
  onChanged(next: Deployment): void;
  onStart(): void;
}

/** The rollout: strategy, step, candidate weight, state, what the analysis saw against each limit, and the buttons its state allows. */
export function RolloutPanel({ deployment, onChanged, onStart }: RolloutPanelProps) {
  const rollout = deployment.rollout;
  const startButton = (
    <button type="button" className="btn btn-primary btn-small" onClick={onStart} data-testid="open-rollout" disabled={rollout !== null && !rolloutEnded(rollout.state)}>
      Start rollout…
    </button>
  );
  return (
    <Card title="Rollout" testId="rollout-panel" aside={startButton}>
      {rollout === null ? (
        <p className="muted">No rollout yet. Start one to bring another version behind the same URL as a canary, a blue-green switch, a rolling replacement or a shadow.</p>
      ) : (
        <RolloutBody deployment={deployment} rollout={rollout} onChanged={onChanged} />
      )}
    </Card>
  );
}

function RolloutBody({ deployment, rollout, onChanged }: { deployment: Deployment; rollout: RolloutView; onChanged(next: Deployment): void }) {
  const client = useClient();
  const actor = useActor();
  const action = useAction();
  const [confirming, setConfirming] = useState<ConfirmedAction | null>(null);
  const steps = rollout.settings.steps;
  const analysis = rollout.analysis;
  const name = deployment.name;
  // The rollout's own last decision; a deployment event (scaled, stopped …) is not one.
  const decision = rollout.lastDecision && isRolloutDecision(rollout.lastDecision.kind) ? rollout.lastDecision : null;
  const note = rollout.note === null ? null : localTimesIn(rollout.note);

  const act = (which: RolloutAction) => {
    if (confirmed.has(which)) {
      setConfirming(which as ConfirmedAction);
      return;
    }
    void action.run(async () => {
      onChanged(await client.call(actionMethod[which], { name, actor }));
    });
  };

  return (
    <div className="rollout-body">
      <div className="rollout-head">
        <strong>{rollout.strategy}</strong>
        <span>
          v{rollout.fromVersion} → v{rollout.toVersion}
        </span>
        <Badge tone={rolloutStateTone[rollout.state]} testId="rollout-state">
          {rolloutStateText(rollout)}
        </Badge>
      </div>
      <dl className="facts">
        {rollout.strategy === 'canary' && (
          <div className="fact">
            <dt>Step</dt>
            <dd data-testid="rollout-step">
              {Math.min(rollout.step + 1, steps.length)} of {steps.length} <span className="muted">({steps.join(' → ')} %)</span>
            </dd>
          </div>
        )}
        {rollout.strategy === 'rolling' && (
          <div className="fact">
            <dt>Replaced</dt>
            <dd data-testid="rollout-step">{plural(rollout.step, 'replica')}</dd>
          </div>
        )}
        {rollout.strategy === 'blue-green' && (
          <div className="fact">
            <dt>Keep warm</dt>
            <dd data-testid="rollout-keep-warm">{formatMs(rollout.settings.keepWarmMs)}</dd>
          </div>
        )}
        {rollout.strategy === 'shadow' && (
          <div className="fact">
            <dt>Promotes</dt>
            <dd data-testid="rollout-shadow-promotes">
              {rollout.settings.shadowMinAgreement === null ? 'by hand' : `by itself at agreement ≥ ${formatRate(rollout.settings.shadowMinAgreement)}`}
            </dd>
          </div>
        )}
        <div className="fact">
          <dt>Candidate weight</dt>
          <dd data-testid="rollout-weight">{candidateShare(rollout)}</dd>
        </div>
        <div className="fact">
          <dt>Started</dt>
          <dd>
            {formatClock(rollout.startedAt)}
            {rollout.endedAt !== null && <span className="muted">, ended {formatClock(rollout.endedAt)}</span>}
          </dd>
        </div>
      </dl>
      {rollout.state === 'waiting-for-traffic' ? (
        <p className="notice notice-warn small" data-testid="rollout-note">
          {sentence(note ?? `Waiting for traffic: the candidate needs ${plural(rollout.settings.minRequests, 'request')} in this step`)} Nothing is promoted or rolled back on no evidence.
        </p>
      ) : (
        note && (
          <p className="muted small" data-testid="rollout-note">
            {sentence(note)}
          </p>
        )
      )}
      {analysis ? (
        <table className="kv analysis-table" data-testid="analysis-checks">
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Limit</th>
              <th scope="col">Candidate</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {analysis.checks.map((c) => (
              <tr key={c.name} data-testid="analysis-check" data-check={c.name} data-passed={c.passed}>
                <th scope="row">{checkLabel[c.name]}</th>
                <td className="num">{c.limit === null ? 'none' : `${limitComparator(c.name)} ${formatCheckValue(c.name, c.limit)}`}</td>
                <td className="num">{formatCheckValue(c.name, c.actual)}</td>
                <td>
                  <Badge tone={c.passed ? 'ok' : 'bad'}>{c.passed ? 'pass' : 'fail'}</Badge>
                </td>
              </tr>
            ))}
          </tbody>
          <caption className="muted small">
            Checked at {formatClock(analysis.at)} on {analysis.candidate.requests} candidate and {plural(analysis.stable.requests, 'stable request')}
            {analysis.consecutiveFailures > 0 ? `; ${analysis.consecutiveFailures} failed in a row of ${rollout.settings.failureLimit} allowed` : ''}
            {analysis.agreement && analysis.agreement.equalShare !== null ? `; agreement ${(analysis.agreement.equalShare * 100).toFixed(1)}% of ${analysis.agreement.compared}` : ''}.
          </caption>
        </table>
      ) : (
        !rolloutEnded(rollout.state) && <p className="muted small">No analysis yet.</p>
      )}
      {decision && (
        <p className="rollout-decision" data-testid="rollout-decision">
          <strong>{decision.kind}</strong>: {localTimesIn(decision.message)}
          {Object.keys(decision.numbers).length > 0 && <span className="muted small"> ({formatNumbers(decision.numbers)})</span>}
        </p>
      )}
      <div className="actions rollout-actions">
        {allowedRolloutActions(rollout.state).map((which) => (
          <button
            key={which}
            type="button"
            className={`btn btn-small${which === 'promote' ? ' btn-primary' : ''}`}
            disabled={action.busy}
            onClick={() => act(which)}
            data-testid={`rollout-${which}`}
          >
            {actionLabel[which]}
          </button>
        ))}
      </div>
      {action.error && <ErrorNotice title="That did not work." error={action.error} />}
      {confirming && <ConfirmActionDialog action={confirming} deployment={deployment} onClose={() => setConfirming(null)} onChanged={onChanged} />}
    </div>
  );
}
