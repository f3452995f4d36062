import type { Handlers } from '../rpc/handlers';
import type { AlertsService } from './alerts/alerts-service';
import type { MonitoringService } from './monitoring-service';
import type { ReportExporter } from './report-exporter';

type MonitoringHandlers = Pick<Handlers, Extract<keyof Handlers, `monitoring.${string}`>>;

/** The monitoring methods: a thin mapping onto the monitoring and alerts services. */
export function monitoringHandlers(service: MonitoringService, alerts: AlertsService, reports: ReportExporter): MonitoringHandlers {
  return {
    'monitoring.listMonitors': () => service.listMonitors(),
    'monitoring.getMonitor': ({ deployment }) => service.getMonitor(deployment),
    'monitoring.setReference': (input) => service.setReference(input),
    'monitoring.updateMonitor': (input) => service.updateMonitor(input),
    'monitoring.deleteMonitor': ({ deployment }) => service.deleteMonitor(deployment),
    'monitoring.checkMonitor': ({ deployment }) => service.checkMonitor(deployment),
    'monitoring.listWindows': ({ deployment, limit }) => service.listWindows(deployment, limit),
    'monitoring.getWindow': ({ deployment, windowId }) => service.getWindow(deployment, windowId),
    'monitoring.getDistribution': ({ deployment, windowId, column }) => service.getDistribution(deployment, windowId, column),
    'monitoring.compareDatasets': (input) => service.compareDatasets(input),
    'monitoring.exportReport': (input) => reports.export(input),
    'monitoring.recordFeedback': ({ deployment, labels }) => service.recordFeedback(deployment, labels),
    'monitoring.importFeedback': (input) => service.importFeedback(input),
    'monitoring.listAlerts': (input) => alerts.listAlerts(input),
    'monitoring.acknowledgeAlert': (input) => alerts.acknowledgeAlert(input),
    'monitoring.silenceAlert': (input) => alerts.silenceAlert(input),
    'monitoring.listAlertRules': (input) => alerts.listAlertRules(input),
    'monitoring.createAlertRule': (input) => alerts.createAlertRule(input),
    'monitoring.updateAlertRule': (input) => alerts.updateAlertRule(input),
    'monitoring.deleteAlertRule': (input) => alerts.deleteAlertRule(input),
    'monitoring.getAlertSettings': () => alerts.getAlertSettings(),
    'monitoring.updateAlertSettings': (input) => alerts.updateAlertSettings(input),
  };
}
