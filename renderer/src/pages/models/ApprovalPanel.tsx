import { useState } from 'react';
import type { ApprovalRequest, ModelVersionDetail } from '../../../../shared/contract/registry';
import { useClient } from '../../api/client-context';
import { Badge, type BadgeTone } from '../../components/Badge';
import { Card } from '../../components/Card';
import { useAction } from '../../lib/use-action';
import { formatWhen } from './model-format';
import { useActor } from './use-actor';

const statusTone: Record<ApprovalRequest['status'], BadgeTone> = { open: 'warn', approved: 'ok', rejected: 'bad' };

/** Ask for approval to go to Production, review the open request, and see every request so far. */
export function ApprovalPanel({ version, onChanged }: { version: ModelVersionDetail; onChanged(): void }) {
  const client = useClient();
  const actor = useActor();
  const [comment, setComment] = useState('');
  const [reviewer, setReviewer] = useState(actor);
  const action = useAction();
  const { busy, error } = action;
  const open = version.approvals.find((a) => a.status === 'open');
  const approved = version.approvals.some((a) => a.status === 'approved');
  const failing = version.gateStatus === 'failed';

  // A refusal answers what was typed: editing it clears the message.
  const edit = (set: (value: string) => void) => (value: string) => {
    set(value);
    action.clearError();
  };
  const run = (call: () => Promise<unknown>) =>
    action.run(async () => {
      await call();
      setComment('');
      onChanged();
    });

  const request = () => run(() => client.call('registry.requestApproval', { name: version.name, version: version.version, actor, comment }));
  const review = (decision: 'approve' | 'reject') =>
    open && run(() => client.call('registry.review', { requestId: open.requestId, decision, reviewer: reviewer.trim(), comment }));

  return (
    <Card title="Approval" testId="approval-panel" aside={approved ? <Badge tone="ok">approved</Badge> : open ? <Badge tone="warn">awaiting review</Badge> : undefined}>
      {open ? (
        <div className="approval-form inline-form">
          <p>
            Request {open.requestId} by <strong>{open.requestedBy}</strong> {formatWhen(open.requestedAt)}
            {open.comment && <span className="muted"> — “{open.comment}”</span>}
          </p>
          {failing && <p className="field-error">This version fails its gates: it cannot be approved.</p>}
          <label className="field">
            Reviewer
            <input value={reviewer} onChange={(e) => edit(setReviewer)(e.target.value)} data-testid="reviewer-input" />
          </label>
          <label className="field">
            Comment
            <input value={comment} onChange={(e) => edit(setComment)(e.target.value)} placeholder="What you checked" data-testid="review-comment" />
          </label>
          <div className="actions">
            <button type="button" className="btn btn-primary" disabled={busy || reviewer.trim() === '' || failing} onClick={() => void review('approve')} data-testid="approve">
              Approve
            </button>
            <button type="button" className="btn" disabled={busy || reviewer.trim() === ''} onClick={() => void review('reject')} data-testid="reject">
              Reject
            </button>
          </div>
        </div>
      ) : approved ? (
        <p className="muted">Approved for Production{version.stage === 'Production' ? ' and in Production.' : ': move it to Production with the stage control, or push it to a registry.'}</p>
      ) : version.stage === 'Production' ? (
        <p className="muted">In Production.</p>
      ) : (
        <div className="approval-form inline-form">
          <p className="muted">Moving to Production needs a reviewer's approval.</p>
          <label className="field">
            Comment for the reviewer
            <input value={comment} onChange={(e) => edit(setComment)(e.target.value)} placeholder="Why this version" data-testid="request-comment" />
          </label>
          <div className="actions">
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void request()} data-testid="request-approval">
              Request approval
            </button>
          </div>
        </div>
      )}
      {error && (
        <p className="field-error" role="alert" data-testid="approval-error">
          {error.message}
        </p>
      )}
      {version.approvals.length > 0 && (
        <ul className="plain-list approval-history" data-testid="approval-history">
          {[...version.approvals].reverse().map((a) => (
            <li key={a.requestId}>
              <Badge tone={statusTone[a.status]}>{a.status}</Badge> #{a.requestId} asked by {a.requestedBy} {formatWhen(a.requestedAt)}
              {a.reviewer && (
                <>
                  {' '}
                  · {a.status} by <strong>{a.reviewer}</strong> {formatWhen(a.reviewedAt)}
                  {a.reviewComment && <span className="muted"> — “{a.reviewComment}”</span>}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
