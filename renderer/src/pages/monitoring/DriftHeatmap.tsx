import { NO_DATA_COLOR, SCORE_STOPS, scoreColor, scoreVerdict } from './drift-colors';
import type { HeatmapGrid } from './heatmap-grid';
import { windowSpan } from './monitoring-format';

interface DriftHeatmapProps {
  grid: HeatmapGrid;
  selected: { windowId: number; column: string } | null;
  onSelect(cell: { windowId: number; column: string }): void;
}

const paint = (color: string) => (el: HTMLElement | null) => void (el && (el.style.background = color));

/**
 * Columns (rows) × windows (oldest left), each cell coloured by its drift score: green at 0, amber
 * at the threshold (0.5), red at 1, grey for "not enough data". A cell is a button that selects
 * its window and column.
 */
export function DriftHeatmap({ grid, selected, onSelect }: DriftHeatmapProps) {
  return (
    <div className="heatmap" data-testid="drift-heatmap">
      <div className="heatmap-scroll">
        <table className="heatmap-table">
          <caption className="visually-hidden">Drift score per column (rows) and window (columns), oldest window first</caption>
          <thead>
            <tr>
              <th scope="col" className="heatmap-corner">
                column \ window
              </th>
              {grid.windows.map((w) => (
                <th
                  scope="col"
                  key={w.windowId}
                  className={`heatmap-window${w.datasetDrift ? ' heatmap-window-drift' : ''}${selected?.windowId === w.windowId ? ' heatmap-window-selected' : ''}`}
                  title={`window ${w.seq}: ${windowSpan(w.startAt, w.endAt)}, ${w.rows} rows, ${w.status}${w.datasetDrift ? ', dataset drift' : ''}`}
                  data-testid="heatmap-window"
                >
                  {w.seq}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {grid.rows.map((row) => (
              <tr key={row.column} data-testid="heatmap-row" data-column={row.column} data-role={row.role}>
                <th scope="row" className="heatmap-column" title={row.column}>
                  <span className="heatmap-column-name">{row.column}</span>
                  {row.role !== 'feature' && <span className="heatmap-prediction">{row.role}</span>}
                </th>
                {row.cells.map((cell) => {
                  const isSelected = selected?.windowId === cell.windowId && selected.column === cell.column;
                  const verdict = cell.absent ? 'absent in this window' : scoreVerdict(cell.score, cell.drift);
                  const label = `${cell.column}, window ${grid.windows.find((w) => w.windowId === cell.windowId)?.seq ?? '?'}: ${verdict}${cell.score === null ? '' : `, score ${cell.score.toFixed(2)}`}`;
                  return (
                    <td key={cell.windowId} className="heatmap-td">
                      <button
                        type="button"
                        className={`heatmap-cell${isSelected ? ' heatmap-cell-selected' : ''}${cell.absent ? ' heatmap-cell-absent' : ''}`}
                        ref={paint(scoreColor(cell.score))}
                        aria-label={label}
                        aria-pressed={isSelected}
                        title={label}
                        data-testid="heatmap-cell"
                        data-column={cell.column}
                        data-window={cell.windowId}
                        data-drift={cell.drift === null ? 'none' : String(cell.drift)}
                        data-score={cell.score ?? ''}
                        onClick={() => onSelect({ windowId: cell.windowId, column: cell.column })}
                      />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <HeatmapLegend />
    </div>
  );
}

/** The scale under the grid: the gradient with its three marks, and the grey of "not enough data". */
export function HeatmapLegend() {
  const gradient = `linear-gradient(to right, ${SCORE_STOPS.map(([at, [r, g, b]]) => `rgb(${r}, ${g}, ${b}) ${at * 100}%`).join(', ')})`;
  return (
    <div className="heatmap-legend" data-testid="heatmap-legend">
      <div className="heatmap-scale">
        <span className="heatmap-gradient" ref={(el) => void (el && (el.style.backgroundImage = gradient))} />
        <span className="heatmap-scale-marks muted small">
          <span>0 no shift</span>
          <span>0.5 threshold</span>
          <span>1 far past it</span>
        </span>
      </div>
      <span className="heatmap-nodata small muted">
        <span className="heatmap-swatch" ref={paint(NO_DATA_COLOR)} /> not enough data
      </span>
    </div>
  );
}
