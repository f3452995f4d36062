import path from 'node:path';
import type { ParsedInput } from '../../../shared/contract/index';
import type { AlertView } from '../../../shared/contract/monitoring';
import { notFound } from '../../../shared/errors';
import type { MonitoringRepository } from './monitoring-repository';
import type { MonitoringService } from './monitoring-service';
import { windowView } from './monitor-views';
import { renderReportHtml } from './report-html';

/** Reports to keep: a window of a deployment (the latest by default) or a comparison of two files, as HTML and JSON. */
export class ReportExporter {
  constructor(
    private readonly service: MonitoringService,
    private readonly repository: MonitoringRepository,
    private readonly alertsOf: (deployment: string) => AlertView[],
    private readonly now: () => number = Date.now,
  ) {}

  async export(input: ParsedInput<'monitoring.exportReport'>): Promise<{ fileName: string; html: string; json: string }> {
    const at = this.now();
    const stamp = new Date(at).toISOString().replace(/[:.]/g, '-');
    if ('deployment' in input) {
      const window = input.windowId !== undefined ? this.repository.window(input.deployment, input.windowId) : this.repository.latestWindow(input.deployment);
      if (!window) throw notFound(input.windowId !== undefined ? `windowId: deployment '${input.deployment}' has no window ${input.windowId}` : `deployment: '${input.deployment}' has no checked window yet`);
      const stored = this.repository.report(window.id);
      if (!stored) throw notFound(`windowId: window ${window.id} of '${input.deployment}' has no report (its check failed: ${window.summary.note ?? 'unknown reason'})`);
      const heading = { title: `Drift report: ${input.deployment}, window ${window.seq}`, subtitle: `${new Date(window.startAt).toISOString()} – ${new Date(window.endAt).toISOString()}, ${window.requests} requests`, generatedAt: at };
      const history = { windows: this.repository.windows(input.deployment, 1000).map(windowView), alerts: this.alertsOf(input.deployment) };
      return {
        fileName: `orrery-drift-${input.deployment}-window-${window.seq}-${stamp}`,
        html: renderReportHtml(heading, stored.report, stored.distributions, history),
        json: JSON.stringify({ deployment: input.deployment, window: windowView(window), ...stored, windows: history.windows, alerts: history.alerts }, null, 2),
      };
    }
    const { distributions, ...report } = await this.service.compareDatasets(input);
    const heading = { title: `Drift report: ${path.basename(input.current)} against ${path.basename(input.reference)}`, subtitle: `${input.reference} → ${input.current}`, generatedAt: at };
    return {
      fileName: `orrery-drift-${path.basename(input.current).replace(/\.[^.]+$/, '')}-${stamp}`,
      html: renderReportHtml(heading, report, distributions),
      json: JSON.stringify({ reference: input.reference, current: input.current, report, distributions }, null, 2),
    };
  }
}
