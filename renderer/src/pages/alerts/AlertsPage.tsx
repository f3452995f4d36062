import type { Route } from '../../routing/route';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLiveQuery } from '../../lib/use-live-query';
import { AlertTable } from './AlertTable';
import { NotificationPermission } from './NotificationPermission';
import { WebhookSettings } from './WebhookSettings';
import { attentionCount, sortInbox } from './alert-order';
import '../../styles/launch.css';
import '../../styles/serving.css';
import '../../styles/monitoring.css';

/** #/alerts: every deployment's and pipeline's alerts, firing first; desktop notifications and the webhook. */
export function AlertsPage(_props: { route: Route }) {
  const alerts = useLiveQuery((c) => c.call('monitoring.listAlerts', { limit: 200 }), [], { staleOn: { 'monitoring.alert': true, 'monitoring.monitor': true } });
  const list = sortInbox(alerts.data ?? []);
  const waiting = attentionCount(list);
  return (
    <div className="page alerts-page" data-testid="alerts-page">
      <header className="page-head">
        <h1>Alerts</h1>
        <span className="muted small" data-testid="alerts-summary">
          {alerts.data ? (waiting === 0 ? 'nothing firing unacknowledged' : `${waiting} firing, not acknowledged`) : ''}
        </span>
      </header>
      <div className="grid alerts-grid">
        <Card title="Inbox" testId="alerts-inbox" className="deploy-span-all">
          {alerts.error && <ErrorNotice title="Could not read the alerts." error={alerts.error} onRetry={() => void alerts.reload()} />}
          {alerts.data && list.length === 0 && (
            <p className="muted" data-testid="alerts-empty">
              No alerts yet. A deployment with a reference (its page, “Monitoring”) gets rules for dataset drift and error rate; their alerts land here, as does a failing pipeline run.
            </p>
          )}
          {list.length > 0 && <AlertTable alerts={list} showDeployment onChanged={(next) => alerts.setData((all) => all.map((a) => (a.id === next.id ? next : a)))} testId="inbox-table" />}
        </Card>
        <NotificationPermission />
        <WebhookSettings />
      </div>
    </div>
  );
}
