import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLiveQuery } from '../../lib/use-live-query';
import { AlertTable } from '../alerts/AlertTable';
import { sortInbox } from '../alerts/alert-order';

/** This deployment's alerts, firing first, with Acknowledge and Silence. */
export function DeploymentAlerts({ deployment }: { deployment: string }) {
  const alerts = useLiveQuery((c) => c.call('monitoring.listAlerts', { deployment, limit: 50 }), [deployment], {
    staleOn: { 'monitoring.alert': (e) => e.deployment === deployment },
  });
  const list = sortInbox(alerts.data ?? []);
  return (
    <Card title="Alerts" testId="deployment-alerts" className="deploy-span-2">
      {alerts.error && <ErrorNotice title="Could not read the alerts." error={alerts.error} onRetry={() => void alerts.reload()} />}
      {alerts.data && list.length === 0 && <p className="muted">No alerts: every rule is within its threshold.</p>}
      {list.length > 0 && <AlertTable alerts={list} showDeployment={false} onChanged={(next) => alerts.setData((all) => all.map((a) => (a.id === next.id ? next : a)))} testId="deployment-alert-table" />}
    </Card>
  );
}
