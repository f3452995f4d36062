import { useState } from 'react';
import type { AlertRuleView } from '../../../../shared/contract/monitoring';
import { useClient } from '../../api/client-context';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../lib/use-action';
import { useLiveQuery } from '../../lib/use-live-query';
import { useActor } from '../models/use-actor';
import { RuleDialog } from './RuleDialog';
import { describeCondition } from './alert-text';

/** A deployment's alert rules: the defaults it got with its reference and any added, each editable. */
export function AlertRulesCard({ deployment }: { deployment: string }) {
  const rules = useLiveQuery((c) => c.call('monitoring.listAlertRules', { deployment }), [deployment], {
    staleOn: { 'monitoring.monitor': (e) => e.deployment === deployment },
  });
  const [editing, setEditing] = useState<AlertRuleView | 'new' | null>(null);
  const [deleting, setDeleting] = useState<AlertRuleView | null>(null);
  const list = rules.data ?? [];
  const replace = (next: AlertRuleView) => rules.setData((all) => (all.some((r) => r.id === next.id) ? all.map((r) => (r.id === next.id ? next : r)) : [...all, next]));

  return (
    <Card
      title="Alert rules"
      testId="alert-rules"
      aside={
        <button type="button" className="btn btn-small" onClick={() => setEditing('new')} data-testid="rule-add">
          Add rule
        </button>
      }
    >
      {rules.error && <ErrorNotice title="Could not read the alert rules." error={rules.error} onRetry={() => void rules.reload()} />}
      {rules.data && list.length === 0 && <p className="muted">No rules: nothing here will alert.</p>}
      {list.length > 0 && (
        <ul className="rule-list">
          {list.map((r) => (
            <RuleRow key={r.id} rule={r} onChanged={replace} onEdit={() => setEditing(r)} onDelete={() => setDeleting(r)} />
          ))}
        </ul>
      )}
      {editing && <RuleDialog deployment={deployment} {...(editing === 'new' ? {} : { rule: editing })} onClose={() => setEditing(null)} onSaved={replace} />}
      {deleting && (
        <DeleteRuleDialog
          rule={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            rules.setData((all) => all.filter((r) => r.id !== deleting.id));
            setDeleting(null);
          }}
        />
      )}
    </Card>
  );
}

function RuleRow({ rule: r, onChanged, onEdit, onDelete }: { rule: AlertRuleView; onChanged(next: AlertRuleView): void; onEdit(): void; onDelete(): void }) {
  const client = useClient();
  const actor = useActor();
  const toggle = useAction();
  return (
    <li className="rule-row" data-testid="rule-row" data-rule={r.id} data-enabled={r.enabled}>
      <div className="rule-main">
        <div className="rule-title">
          <strong>{r.name}</strong>
          {r.isDefault && <Badge tone="neutral">default</Badge>}
          {!r.enabled && <Badge tone="warn">off</Badge>}
        </div>
        <div className="mono small" data-testid="rule-condition">
          {describeCondition(r)}
        </div>
        {toggle.error && <ErrorNotice title="Could not change the rule." error={toggle.error} />}
      </div>
      <span className="rule-actions">
        <label className="inline-check small">
          <input type="checkbox" checked={r.enabled} disabled={toggle.busy} onChange={(e) => void toggle.run(async () => onChanged(await client.call('monitoring.updateAlertRule', { id: r.id, enabled: e.target.checked, actor })))} data-testid="rule-toggle" />
          enabled
        </label>
        <button type="button" className="btn btn-small" onClick={onEdit} data-testid="rule-edit">
          Edit
        </button>
        <button type="button" className="btn btn-small btn-danger" onClick={onDelete} data-testid="rule-delete">
          Delete
        </button>
      </span>
    </li>
  );
}

function DeleteRuleDialog({ rule, onClose, onDeleted }: { rule: AlertRuleView; onClose(): void; onDeleted(): void }) {
  const client = useClient();
  const actor = useActor();
  const run = useAction();
  return (
    <Dialog
      title="Delete alert rule?"
      testId="rule-delete-dialog"
      onClose={onClose}
      onSubmit={() =>
        void run.run(async () => {
          await client.call('monitoring.deleteAlertRule', { id: rule.id, actor });
          onDeleted();
        })
      }
      submit={{ label: 'Delete rule', busyLabel: 'Deleting…', busy: run.busy, testId: 'rule-delete-submit' }}
    >
      <p>
        “{rule.name}” ({describeCondition(rule)}) stops being checked, and its open alerts resolve.
      </p>
      {run.error && <ErrorNotice title="That did not work." error={run.error} />}
    </Dialog>
  );
}
