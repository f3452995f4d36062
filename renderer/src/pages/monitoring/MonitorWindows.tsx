import { useMemo, useState } from 'react';
import type { MonitorView } from '../../../../shared/contract/monitoring';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLiveQuery } from '../../lib/use-live-query';
import { ColumnDetail } from './ColumnDetail';
import { DriftHeatmap } from './DriftHeatmap';
import { DriftTable } from './DriftTable';
import { ExportButtons } from './ExportButtons';
import { PerformancePanel } from './PerformancePanel';
import { QualityTable } from './QualityTable';
import { buildHeatmap, defaultSelection } from './heatmap-grid';
import { formatShare, windowSpan } from './monitoring-format';
import { driftTone } from './monitoring-tones';

/**
 * The deployment's checked windows: the heatmap, then for the chosen window and column the
 * distributions and verdict, the window's per-column table and data quality, and performance over time.
 */
export function MonitorWindows({ deployment, runMetrics, feedbackUrl }: { deployment: string; runMetrics: MonitorView['runMetrics']; feedbackUrl: string }) {
  const windows = useLiveQuery((c) => c.call('monitoring.listWindows', { deployment, limit: 50 }), [deployment], {
    staleOn: { 'monitoring.window': (e) => e.deployment === deployment, 'monitoring.monitor': (e) => e.deployment === deployment },
  });
  const grid = useMemo(() => buildHeatmap(windows.data ?? []), [windows.data]);
  const [chosen, setChosen] = useState<{ windowId: number; column: string } | null>(null);
  // A choice whose window has scrolled out of the list falls back to the newest window.
  const valid = chosen && grid.windows.some((w) => w.windowId === chosen.windowId) ? chosen : null;
  const selected = valid ?? defaultSelection(grid);
  const windowId = selected?.windowId ?? null;
  // Labels arriving later change a window's performance: it is read again on its event.
  const detail = useLiveQuery((c) => (windowId === null ? Promise.resolve(null) : c.call('monitoring.getWindow', { deployment, windowId })), [deployment, windowId], {
    staleOn: { 'monitoring.window': (e) => e.deployment === deployment && e.windowId === windowId },
  });
  const w = detail.data;

  if (windows.error) return <ErrorNotice title="Could not read the monitoring windows." error={windows.error} onRetry={() => void windows.reload()} />;
  if (!windows.data) return <p className="muted">Reading windows…</p>;
  if (grid.windows.length === 0) {
    return (
      <Card title="Drift by window" testId="monitor-no-windows" className="deploy-span-all">
        <p className="muted">No window has been checked yet. A window closes after the rows or minutes set above; “Check now” closes the current one at once.</p>
      </Card>
    );
  }

  return (
    <>
      <Card title="Drift by window" testId="monitor-heatmap" className="deploy-span-all" aside={<ExportButtons input={windowId === null ? null : { deployment, windowId }} testId="monitor-export" />}>
        <DriftHeatmap grid={grid} selected={selected} onSelect={setChosen} />
      </Card>
      {selected && (
        <Card title={`Column in window ${grid.windows.find((x) => x.windowId === selected.windowId)?.seq ?? ''}`} testId="monitor-column" className="deploy-span-2">
          <ColumnDetail deployment={deployment} windowId={selected.windowId} column={selected.column} />
        </Card>
      )}
      <Card title="Window" testId="monitor-window">
        {detail.error && <ErrorNotice title="Could not read the window." error={detail.error} onRetry={() => void detail.reload()} />}
        {w && (
          <div className="window-summary" data-testid="window-summary" data-window={w.id}>
            <p>
              <Badge tone={driftTone(w.datasetDrift)} testId="window-verdict">
                {w.datasetDrift === null ? 'not enough data' : w.datasetDrift ? 'dataset drift' : 'no dataset drift'}
              </Badge>{' '}
              <span className="small">
                {w.driftedColumns} of {w.testedColumns} columns drifted ({formatShare(w.driftShare)})
              </span>
            </p>
            <p className="small muted">
              {windowSpan(w.startAt, w.endAt)} · {w.rows.toLocaleString('en')} rows from {w.requests.toLocaleString('en')} requests
              {w.unseenRows > 0 && <span data-testid="window-unseen"> · {w.unseenRows.toLocaleString('en')} rows not seen (over the request log’s size cap)</span>}
            </p>
            {w.note && <p className="small">{w.note}</p>}
          </div>
        )}
      </Card>
      {w?.report && (
        <Card title="Columns in this window" testId="monitor-window-columns" className="deploy-span-all">
          <DriftTable columns={w.report.columns} selected={selected?.column ?? null} onSelect={(column) => setChosen({ windowId: w.id, column })} />
        </Card>
      )}
      {w?.report && (
        <Card title="Data quality in this window" testId="monitor-quality" className="deploy-span-all">
          <QualityTable quality={w.report.quality} />
        </Card>
      )}
      <PerformancePanel windows={windows.data} runMetrics={runMetrics} feedbackUrl={feedbackUrl} />
    </>
  );
}
