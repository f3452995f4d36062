/**
 * How a drift score (0–1, 0.5 at the column's threshold) looks in the heatmap: green at 0, amber at
 * the threshold, red at 1, grey when the window had too little data for a verdict.
 */
export const NO_DATA_COLOR = '#9ca3af';

/** The colour stops, score → [r, g, b]; the legend draws the same ones. */
export const SCORE_STOPS: ReadonlyArray<readonly [score: number, rgb: readonly [number, number, number]]> = [
  [0, [22, 163, 74]],
  [0.5, [234, 179, 8]],
  [1, [220, 38, 38]],
];

const hex = (n: number) => Math.round(n).toString(16).padStart(2, '0');

/** The cell colour for a score; out-of-range scores are held to 0–1, null (no verdict) is grey. */
export function scoreColor(score: number | null): string {
  if (score === null || !Number.isFinite(score)) return NO_DATA_COLOR;
  const s = Math.min(1, Math.max(0, score));
  for (let i = 1; i < SCORE_STOPS.length; i++) {
    const [hiAt, hi] = SCORE_STOPS[i]!;
    if (s > hiAt) continue;
    const [loAt, lo] = SCORE_STOPS[i - 1]!;
    const t = (s - loAt) / (hiAt - loAt);
    return `#${lo.map((c, k) => hex(c + (hi[k]! - c) * t)).join('')}`;
  }
  return `#${SCORE_STOPS[SCORE_STOPS.length - 1]![1].map(hex).join('')}`;
}

/** Dark text on the light middle of the scale, white on the ends, so a cell's label stays readable. */
export function scoreTextColor(score: number | null): string {
  if (score === null || !Number.isFinite(score)) return '#111827';
  return score > 0.3 && score < 0.7 ? '#111827' : '#ffffff';
}

/** What a cell says to a screen reader and in its tooltip. */
export function scoreVerdict(score: number | null, drift: boolean | null): string {
  if (score === null || drift === null) return 'not enough data';
  return drift ? 'drift' : 'no drift';
}
