import type { MonitorWindowView } from '../../../../shared/contract/monitoring';

export interface HeatmapCell {
  windowId: number;
  column: string;
  /** Null: no verdict (too little data), or the column was absent from that window (`absent`). */
  score: number | null;
  drift: boolean | null;
  absent: boolean;
}

export type ColumnRole = MonitorWindowView['cells'][number]['role'];

export interface HeatmapRow {
  column: string;
  role: ColumnRole;
  cells: HeatmapCell[];
  /** Windows in which this column drifted. */
  drifted: number;
}

export interface HeatmapColumn {
  windowId: number;
  seq: number;
  startAt: number;
  endAt: number;
  rows: number;
  status: MonitorWindowView['status'];
  datasetDrift: boolean | null;
}

export interface HeatmapGrid {
  /** The grid's columns: one per window, oldest left. */
  windows: HeatmapColumn[];
  /** The grid's rows: one per data column, features first, then the target and the prediction. */
  rows: HeatmapRow[];
}

/**
 * Windows × columns for the heatmap. Columns are taken in the order the newest window lists them
 * (the current schema), then any older ones; a window without a column gets an "absent" cell.
 */
export function buildHeatmap(windows: readonly MonitorWindowView[]): HeatmapGrid {
  const ordered = [...windows].sort((a, b) => a.seq - b.seq);
  const roles = new Map<string, ColumnRole>();
  for (const w of [...ordered].reverse()) {
    for (const cell of w.cells) if (!roles.has(cell.column)) roles.set(cell.column, cell.role);
  }
  const names = [...roles.keys()];
  const rank: Record<ColumnRole, number> = { feature: 0, target: 1, prediction: 2 };
  // A stable sort: within a role, the newest window's order stays.
  const sorted = [...names].sort((a, b) => rank[roles.get(a)!] - rank[roles.get(b)!]);
  const rows = sorted.map((column): HeatmapRow => {
    const cells = ordered.map((w): HeatmapCell => {
      const cell = w.cells.find((c) => c.column === column);
      return cell ? { windowId: w.id, column, score: cell.score, drift: cell.drift, absent: false } : { windowId: w.id, column, score: null, drift: null, absent: true };
    });
    return { column, role: roles.get(column)!, cells, drifted: cells.filter((c) => c.drift === true).length };
  });
  return {
    windows: ordered.map((w) => ({ windowId: w.id, seq: w.seq, startAt: w.startAt, endAt: w.endAt, rows: w.rows, status: w.status, datasetDrift: w.datasetDrift })),
    rows,
  };
}

/**
 * The cell to show when nothing is chosen yet: the newest window's most drifting column (the
 * one the user most likely wants to see), else its first column; null for an empty grid.
 */
export function defaultSelection(grid: HeatmapGrid): { windowId: number; column: string } | null {
  const last = grid.windows[grid.windows.length - 1];
  if (!last || grid.rows.length === 0) return null;
  const index = grid.windows.length - 1;
  let best: HeatmapRow = grid.rows[0]!;
  for (const row of grid.rows) {
    if ((row.cells[index]!.score ?? -1) > (best.cells[index]!.score ?? -1)) best = row;
  }
  return { windowId: last.windowId, column: best.column };
}
