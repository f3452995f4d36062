import type { MetricBuckets, MetricValue } from '../../../shared/contract/tracking';

/** What the x axis shows: the step, the wall-clock time, or seconds since the run's first point. */
export type XAxisMode = 'step' | 'wall' | 'relative';

export interface XY {
  x: number;
  y: number;
}

/** A downsampled series ready to draw: the line (each bucket's last value) and the min–max band. */
export interface SeriesPoints {
  line: XY[];
  /** One entry per bucket that has a finite range: x, low and high edge of the band. */
  band: Array<{ x: number; lo: number; hi: number }>;
  /** Smallest and largest finite value seen (line and band), or null when there is none. */
  range: { min: number; max: number } | null;
  /** Smallest value > 0, for a log axis. */
  minPositive: number | null;
  /** Buckets holding a value the line cannot show (NaN last value, ±Infinity), marked at the chart's edge instead. */
  nonFinite: NonFiniteMark[];
}

/** Where a NaN or infinite value sits: 'nan' and 'inf' are marked at the top edge, '-inf' at the bottom. */
export interface NonFiniteMark {
  x: number;
  kind: 'nan' | 'inf' | '-inf';
}

/** A metric value as a number: the protobuf-JSON strings become NaN / ±Infinity, null stays null. */
export function metricNumber(value: MetricValue | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number.NaN;
}

/** The x value of bucket i under a mode; `origin` is the run's first timestamp (ms) for 'relative'. */
export function xOf(buckets: MetricBuckets, i: number, mode: XAxisMode, origin: number): number {
  if (mode === 'step') return buckets.lastStep[i] ?? buckets.stepEnd[i] ?? i;
  const t = buckets.lastTimestamp[i] ?? 0;
  return mode === 'wall' ? t : (t - origin) / 1000;
}

/** The run's first timestamp in this table (the smallest lastTimestamp), or 0 when empty. */
export function firstTimestamp(buckets: MetricBuckets): number {
  let first = Number.POSITIVE_INFINITY;
  for (const t of buckets.lastTimestamp) if (t < first) first = t;
  return Number.isFinite(first) ? first : 0;
}

/**
 * Column buckets → line points and band. NaN values are skipped (no point, no band edge);
 * ±Infinity cannot be drawn, so it is left out of the line and clamped out of the band (the band
 * keeps its finite edge and the line value). Each of them is listed in `nonFinite` so the chart can
 * mark it rather than leave a silent gap. The buckets carry NaN only as a last value, so a NaN
 * inside a bucket with a finite last value cannot be seen here. With `logY`, values <= 0 are left
 * out too (they are not marked: they are real values the axis cannot show).
 */
export function bucketsToPoints(buckets: MetricBuckets, mode: XAxisMode, options: { origin?: number; logY?: boolean } = {}): SeriesPoints {
  const origin = options.origin ?? firstTimestamp(buckets);
  const logY = options.logY ?? false;
  const n = buckets.count.length;
  const line: XY[] = [];
  const band: SeriesPoints['band'] = [];
  const nonFinite: NonFiniteMark[] = [];
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let minPositive = Number.POSITIVE_INFINITY;
  const usable = (v: number | null): v is number => v !== null && Number.isFinite(v) && (!logY || v > 0);
  const see = (v: number) => {
    if (v < min) min = v;
    if (v > max) max = v;
    if (v > 0 && v < minPositive) minPositive = v;
  };
  for (let i = 0; i < n; i++) {
    const x = xOf(buckets, i, mode, origin);
    const last = metricNumber(buckets.last[i]);
    const lastOk = usable(last);
    if (lastOk) {
      line.push({ x, y: last });
      see(last);
    }
    const lo = metricNumber(buckets.min[i]);
    const hi = metricNumber(buckets.max[i]);
    if (last !== null && Number.isNaN(last)) nonFinite.push({ x, kind: 'nan' });
    if (last === Number.POSITIVE_INFINITY || hi === Number.POSITIVE_INFINITY) nonFinite.push({ x, kind: 'inf' });
    if (last === Number.NEGATIVE_INFINITY || lo === Number.NEGATIVE_INFINITY) nonFinite.push({ x, kind: '-inf' });
    if ((buckets.count[i] ?? 1) <= 1) continue;
    const loOk = usable(lo);
    const hiOk = usable(hi);
    if (!loOk && !hiOk) continue;
    const low = loOk ? lo : lastOk ? Math.min(last, hi as number) : (hi as number);
    const high = hiOk ? hi : lastOk ? Math.max(last, low) : low;
    if (high > low) {
      band.push({ x, lo: low, hi: high });
      see(low);
      see(high);
    }
  }
  return {
    line,
    band,
    range: min <= max ? { min, max } : null,
    minPositive: Number.isFinite(minPositive) ? minPositive : null,
    nonFinite,
  };
}

/**
 * Exponential moving average, debiased like TensorBoard's smoothing (so the start isn't pulled
 * towards zero). weight 0 returns the points unchanged; values are clamped to [0, 0.999].
 */
export function ema(points: readonly XY[], weight: number): XY[] {
  const w = Math.min(0.999, Math.max(0, weight));
  if (w === 0) return points.slice();
  const out: XY[] = new Array<XY>(points.length);
  let acc = 0;
  let debias = 1;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    acc = acc * w + (1 - w) * p.y;
    debias *= w;
    out[i] = { x: p.x, y: acc / (1 - debias) };
  }
  return out;
}

/** Index of the point whose x is nearest to `x` (points sorted by x), or -1 when there are none. */
export function nearestIndex(points: readonly XY[], x: number): number {
  if (points.length === 0) return -1;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.x < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(points[lo - 1]!.x - x) <= Math.abs(points[lo]!.x - x)) return lo - 1;
  return lo;
}

/**
 * The point a legend shows for a series: the one nearest to the hovered x, or with no hover the
 * last one in view (`view` null: the last one). -1 when there is none (none in the zoomed view).
 */
export function readoutIndex(points: readonly XY[], hoverX: number | null, view: { min: number; max: number } | null): number {
  if (hoverX !== null) return nearestIndex(points, hoverX);
  if (!view) return points.length - 1;
  for (let i = points.length - 1; i >= 0; i--) {
    const x = points[i]!.x;
    if (x <= view.max) return x >= view.min ? i : -1;
  }
  return -1;
}

/** A CSS colour (#rrggbb or hsl(…), as runColor makes them) at the given opacity. */
export function withAlpha(color: string, alpha: number): string {
  const a = Math.min(1, Math.max(0, alpha));
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (hex) return `#${hex[1]}${Math.round(a * 255).toString(16).padStart(2, '0')}`;
  const hsl = /^hsl\((.*)\)$/i.exec(color);
  if (hsl) return `hsla(${hsl[1]}, ${a})`;
  return color;
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#4f46e5', '#ea580c'];

/** A run's colour by its index in the comparison: ten distinct colours, then golden-angle hues. */
export function runColor(index: number): string {
  if (index >= 0 && index < PALETTE.length) return PALETTE[index]!;
  const hue = Math.round((index * 137.508) % 360);
  return `hsl(${hue}, 65%, 48%)`;
}

/** Formats a metric value compactly for legends and tables. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(3);
  return Number(value.toPrecision(5)).toString();
}

/** Formats an x value under a mode: step as an integer, wall time as a clock, relative as a duration. */
export function formatX(x: number, mode: XAxisMode): string {
  if (mode === 'step') return Math.round(x).toLocaleString('en');
  if (mode === 'wall') {
    const d = new Date(x);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }
  return formatDuration(x * 1000);
}

/** 93 s → "1m 33s", 7260 s → "2h 1m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}
