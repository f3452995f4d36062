import type { AlertView, FeedbackResult, MonitorView, MonitorWindowView } from '../../shared/contract/monitoring';
import { notFound } from '../../shared/errors';
import { connectToRunning } from './connection';
import type { DataDirSource } from './data-dir-check';
import type { MonitoringCallCommand } from './monitor-command';
import { alertsText, alertText, checkText, feedbackText, monitorText, statusText } from './monitor-output';

export interface MonitoringIo {
  out(text: string): Promise<void>;
  now: () => number;
}

/** Runs one `orrery monitor reference|status|check|feedback` or `orrery alerts …` against the running Orrery. Failures throw. */
export async function runMonitoring(command: MonitoringCallCommand, dataDir: string, io: MonitoringIo, source: DataDirSource = 'default'): Promise<number> {
  const connection = await connectToRunning(dataDir, { source });
  const { client } = connection;
  const print = (value: unknown, text: () => string) => io.out(`${command.json ? JSON.stringify(value, null, 2) : text()}\n`);
  try {
    const { call } = command;
    if (call.method === 'monitoring.getMonitor') {
      const name = call.input.deployment;
      const monitor = await client.call('monitoring.getMonitor', call.input);
      if (!monitor) throw notFound(`deployment '${name}' has no reference yet: set one with orrery monitor reference ${name} --file REF (or --requests N)`);
      const windows = await client.call('monitoring.listWindows', { deployment: name, limit: command.windows });
      const last = windows.at(-1);
      const latest = last ? await client.call('monitoring.getWindow', { deployment: name, windowId: last.id }) : null;
      await print({ monitor, windows, latest }, () => statusText(monitor, windows, latest));
      return 0;
    }
    const result: unknown = await client.call(call.method, call.input as never);
    const deployment = (call.input as { deployment?: string }).deployment ?? '';
    await print(result, () => {
      switch (command.subcommand) {
        case 'monitor reference':
          return monitorText(result as MonitorView);
        case 'monitor check':
          return checkText(deployment, result as MonitorWindowView | null);
        case 'monitor feedback':
          return feedbackText(deployment, result as FeedbackResult);
        case 'alerts list':
          return alertsText(result as AlertView[], io.now());
        case 'alerts ack':
          return `Acknowledged:\n${alertText(result as AlertView, io.now())}`;
        case 'alerts silence': {
          const alert = result as AlertView;
          const lifted = alert.silencedUntil === null || alert.silencedUntil <= io.now();
          return `${lifted ? 'Silence lifted' : 'Silenced: no notification from this rule until then'}:\n${alertText(alert, io.now())}`;
        }
        default:
          return JSON.stringify(result, null, 2);
      }
    });
    return 0;
  } finally {
    connection.close();
  }
}
