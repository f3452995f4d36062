// The x-zoom arithmetic of the metric charts: drag, wheel and pinch gestures turned into an x range.

/** A range of x values, in the units of the chart's x axis (steps, epoch ms or seconds). */
export interface XRange {
  min: number;
  max: number;
}

/** Narrowest range a zoom may reach, relative to the data's whole x extent (a float's precision runs out below it). */
const MIN_SPAN_FRACTION = 1e-9;
/** Below this many pixels a drag is a click, not a zoom. */
export const MIN_DRAG_PX = 5;

/**
 * The range a drag selected, from its two ends in x values and the pixels it spanned, or null
 * when it was too short to mean a zoom. Either direction works.
 */
export function dragToRange(fromX: number, toX: number, spanPx: number): XRange | null {
  if (!(Math.abs(spanPx) >= MIN_DRAG_PX) || !Number.isFinite(fromX) || !Number.isFinite(toX) || fromX === toX) return null;
  return { min: Math.min(fromX, toX), max: Math.max(fromX, toX) };
}

/**
 * How much one wheel event scales the visible span: < 1 zooms in, > 1 out. Pinch on a trackpad
 * arrives as a ctrl+wheel with small deltas, so it is made more sensitive; line and page deltas
 * (Firefox, some mice) are turned into pixels first.
 */
export function wheelFactor(deltaY: number, deltaMode: number, pinch: boolean): number {
  const px = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  const rate = pinch ? 0.01 : 0.002;
  // Capped so one coarse notch never zooms by more than 2× either way.
  return Math.min(2, Math.max(0.5, Math.exp(px * rate)));
}

/**
 * The range after scaling `view` by `factor` around `center`, which stays under the cursor; then
 * kept inside the data's whole extent. Null means "the whole extent" (not zoomed): zooming out
 * past it resets rather than showing empty space.
 */
export function zoomAround(view: XRange, center: number, factor: number, extent: XRange, minSpan = 0): XRange | null {
  const c = Math.min(view.max, Math.max(view.min, center));
  return clampToExtent({ min: c - (c - view.min) * factor, max: c + (view.max - c) * factor }, extent, minSpan);
}

/**
 * A range moved inside the data's extent (shifted first, so a zoom near an edge keeps its width),
 * widened to `minSpan` at least (2 on a step axis: a narrower view would show no whole step
 * to tick); null when it covers the whole extent.
 */
export function clampToExtent(range: XRange, extent: XRange, minSpan = 0): XRange | null {
  const full = extent.max - extent.min;
  if (!(full > 0) || !Number.isFinite(range.min) || !Number.isFinite(range.max)) return null;
  let { min, max } = range;
  const narrowest = Math.max(minSpan, full * MIN_SPAN_FRACTION);
  if (max - min >= full || narrowest >= full) return null;
  if (max - min < narrowest) {
    const mid = (min + max) / 2;
    min = mid - narrowest / 2;
    max = mid + narrowest / 2;
  }
  if (min < extent.min) {
    max += extent.min - min;
    min = extent.min;
  }
  if (max > extent.max) {
    min -= max - extent.max;
    max = extent.max;
  }
  return { min: Math.max(min, extent.min), max };
}

/** The step range to read again at full resolution for an x range on the step axis: whole steps covering it. */
export function stepWindow(range: XRange): { startStep: number; endStep: number } {
  return { startStep: Math.floor(range.min), endStep: Math.ceil(range.max) };
}
