import { memo } from 'react';
import { formatNonFinite, type NonFiniteCount } from './non-finite-marks';
import { MiddleTruncated } from './middle-truncated';
import { formatValue, formatX, type XAxisMode } from './series-math';

const NON_FINITE_HINT = 'Not plotted: NaN as × along the top edge, +Inf as ▲ on the top edge, −Inf as ▼ on the bottom edge; the line over them is dashed.';
const DOWNSAMPLED_HINT = ' Counted per bucket of the downsampled series: zoom in to count every point.';

export interface LegendRow {
  id: string;
  label: string;
  color: string;
  /** The raw (never smoothed) value shown, and the x it was logged at; null when none is in view. */
  value: number | null;
  x: number | null;
  nonFinite: NonFiniteCount;
  /** The series is downsampled: NaN/±Inf are counted per bucket, so a count may be short. */
  downsampled: boolean;
}

interface MetricLegendProps {
  rows: readonly LegendRow[];
  xAxis: XAxisMode;
  /** The x under the pointer; null when not hovering (each row then shows its last value in view). */
  hoverX: number | null;
}

/**
 * Under a chart, one row per run: its name, what the chart could not plot, and its value, at the
 * hovered x (each run's nearest point, whose own x shows when it is not the hovered one) or the latest.
 */
export const MetricLegend = memo(function MetricLegend({ rows, xAxis, hoverX }: MetricLegendProps) {
  const headerX = hoverX ?? rows.find((r) => r.x !== null)?.x ?? null;
  const headerText = headerX === null ? '' : formatX(headerX, xAxis);
  return (
    <div className="metric-legend" aria-live="off">
      <div className="metric-legend-x muted">
        {hoverX === null ? 'latest' : 'at'} {headerText}
      </div>
      {rows.map((row) => {
        const note = formatNonFinite(row.nonFinite);
        const at = row.x === null ? '' : formatX(row.x, xAxis);
        return (
          <div className="metric-legend-row" key={row.id} title={`${row.label}: ${formatValue(row.value)}${at ? ` at ${at}` : ''}${note ? ` (not plotted: ${note})` : ''}`}>
            <span className="swatch" ref={(el) => void (el && (el.style.background = row.color))} />
            <MiddleTruncated className="metric-legend-label" text={row.label} />
            {note && (
              <span className="metric-legend-nonfinite" title={`${NON_FINITE_HINT}${row.downsampled ? DOWNSAMPLED_HINT : ''}`}>
                {note}
              </span>
            )}
            {hoverX !== null && at !== '' && at !== headerText && <span className="metric-legend-at muted">@{at}</span>}
            <span className="metric-legend-value" data-x={row.x ?? ''}>
              {formatValue(row.value)}
            </span>
          </div>
        );
      })}
    </div>
  );
});
