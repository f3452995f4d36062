import { useMemo } from 'react';
import type { MonitorView, MonitorWindowView } from '../../../../shared/contract/monitoring';
import { Card } from '../../components/Card';
import { CopyableCode } from '../../components/CopyableCode';
import { PerformanceChart } from './PerformanceChart';
import { formatStat, performanceSeries } from './monitoring-format';

/** Labelled performance over the windows, or how to send labels when none arrived yet; beside it, what the training run logged. */
export function PerformancePanel({ windows, runMetrics, feedbackUrl }: { windows: readonly MonitorWindowView[]; runMetrics: MonitorView['runMetrics']; feedbackUrl: string }) {
  const series = useMemo(() => performanceSeries(windows), [windows]);
  return (
    <Card title="Performance over time" testId="monitor-performance" className="deploy-span-all">
      {series.length > 0 ? (
        <PerformanceChart series={series} />
      ) : (
        <div data-testid="performance-empty">
          <p className="muted">
            No labels yet. Send the true answers for logged requests, by request id (each answer carries it in <code>X-Request-Id</code>; callers may send their own), and each window gets accuracy, F1 and ROC AUC, or MAE, RMSE and R²:
          </p>
          <CopyableCode code={`curl -X POST ${feedbackUrl} -H 'content-type: application/json' \\\n  -d '{"labels": [{"request_id": "…", "label": …}]}'`} />
        </div>
      )}
      {runMetrics && Object.keys(runMetrics.metrics).length > 0 && (
        <p className="small muted" data-testid="run-metrics">
          Logged on the training run of {runMetrics.model} v{runMetrics.version}:{' '}
          {Object.entries(runMetrics.metrics)
            .map(([key, value]) => `${key} ${formatStat(value)}`)
            .join(' · ')}
        </p>
      )}
    </Card>
  );
}
