import type { Run } from '../../../../shared/contract/tracking';

/** A column of the runs table: a fixed attribute, or a param / metric / tag picked by the user. */
export type RunColumn =
  | { kind: 'attribute'; key: 'status' | 'name' | 'start' | 'duration' }
  | { kind: 'param' | 'metric' | 'tag'; key: string };

export type SortDirection = 'ASC' | 'DESC';

export interface SortState {
  column: RunColumn;
  direction: SortDirection;
}

export const ATTRIBUTE_COLUMNS: readonly RunColumn[] = [
  { kind: 'attribute', key: 'status' },
  { kind: 'attribute', key: 'name' },
  { kind: 'attribute', key: 'start' },
  { kind: 'attribute', key: 'duration' },
];

const ATTRIBUTE_LABELS: Record<string, string> = { status: 'Status', name: 'Name', start: 'Started', duration: 'Duration' };

/** A stable id for React keys and comparisons: "attribute.name", "metric.acc". */
export function columnId(column: RunColumn): string {
  return `${column.kind}.${column.key}`;
}

export function columnLabel(column: RunColumn): string {
  return column.kind === 'attribute' ? (ATTRIBUTE_LABELS[column.key] ?? column.key) : column.key;
}

export function sameColumn(a: RunColumn, b: RunColumn): boolean {
  return a.kind === b.kind && a.key === b.key;
}

/** Pixel width of a column; the header and every row share one grid template built from these. */
export function columnWidth(column: RunColumn): number {
  if (column.kind !== 'attribute') return 120;
  switch (column.key) {
    case 'status':
      return 96;
    case 'name':
      return 260;
    case 'start':
      return 150;
    case 'duration':
      return 90;
  }
}

/** The one duration format (lib/format.ts), shared with the jobs page and the run page. */
export { formatDuration } from '../../lib/format';

/** A run's duration: end − start, or now − start while it is still running. */
export function runDuration(run: Pick<Run, 'startTime' | 'endTime' | 'status'>, now: number): number | null {
  if (run.startTime === null) return null;
  if (run.endTime !== null) return run.endTime - run.startTime;
  return run.status === 'RUNNING' ? now - run.startTime : null;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", then a date. */
export function formatRelative(time: number | null, now: number): string {
  if (time === null || !Number.isFinite(time) || time <= 0) return '—';
  const diff = Math.max(0, now - time);
  const min = Math.floor(diff / 60_000);
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.floor(h / 24);
  if (d < 30) return d === 1 ? 'yesterday' : `${d} days ago`;
  return new Date(time).toLocaleDateString();
}

/** A metric or param value for a cell: numbers with up to 4 significant digits after the point. */
export function formatMetric(value: number | string | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e7)) return value.toExponential(3);
  return String(Number(value.toPrecision(5)));
}

/** The text a cell shows for a run and a column (status and dates are rendered by the table itself). */
export function cellText(run: Run, column: RunColumn): string {
  switch (column.kind) {
    case 'param':
      return run.params[column.key] ?? '';
    case 'tag':
      return run.tags[column.key] ?? '';
    case 'metric':
      return formatMetric(run.metrics[column.key]?.value);
    case 'attribute':
      return column.key === 'name' ? run.name : '';
  }
}

/** "2025-03-04 13:05" in local time, sortable by eye and the same width on every row. */
export function formatDateTime(time: number | null): string {
  if (time === null || !Number.isFinite(time) || time <= 0) return '—';
  const d = new Date(time);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

// Built once: a Date's toLocaleString() builds a formatter on every call, too slow for each row of a scroll frame.
const LOCAL_DATE_TIME = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });

/** The full local date and time, as Date.prototype.toLocaleString() writes it (a start cell's tooltip). */
export function formatLocalDateTime(time: number): string {
  return LOCAL_DATE_TIME.format(time);
}

/** Saved picks per experiment, read back defensively (localStorage is user-editable). */
export function parseSavedColumns(text: string | null): RunColumn[] | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return null;
    return value.flatMap((item: unknown): RunColumn[] => {
      if (typeof item !== 'object' || item === null) return [];
      const { kind, key } = item as { kind?: unknown; key?: unknown };
      if ((kind === 'param' || kind === 'metric' || kind === 'tag') && typeof key === 'string' && key !== '') return [{ kind, key }];
      return [];
    });
  } catch {
    return null;
  }
}
