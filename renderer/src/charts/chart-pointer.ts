// The mouse on a metric chart: hover, drag to select an x range, wheel or pinch to zoom, double-click to reset.
import type { ChartArea } from 'chart.js';
import { MIN_DRAG_PX, wheelFactor } from './chart-zoom';

export interface ChartPointerHandlers {
  /** The pointer's x in canvas pixels, at most once a frame; null when it left the plot area. */
  hover(px: number | null): void;
  /** A drag in progress from `fromPx` to `toPx` (both inside the plot area); null when it ended or was cancelled. */
  selecting(span: { fromPx: number; toPx: number } | null): void;
  /** A drag ended: zoom to the x range between the two pixels. */
  selected(fromPx: number, toPx: number): void;
  /** A wheel or pinch at `px` asks to scale the visible span by `factor`; true when the chart zoomed (the page then must not scroll). */
  wheel(px: number, factor: number): boolean;
  /** Double-click: back to the whole x range. */
  reset(): void;
}

/**
 * Listens on the canvas (and, during a drag, on the window, so releasing outside still ends it).
 * `area` is the plot area chart.js laid out, null before its first layout. Returns the cleanup.
 */
export function attachChartPointer(canvas: HTMLCanvasElement, area: () => ChartArea | null, on: ChartPointerHandlers): () => void {
  let frame = 0;
  let lastX: number | null = null;
  let dragFrom: number | null = null;
  const toPx = (e: MouseEvent) => e.clientX - canvas.getBoundingClientRect().left;
  const inside = (px: number, a: ChartArea) => px >= a.left && px <= a.right;
  const clamp = (px: number, a: ChartArea) => Math.min(a.right, Math.max(a.left, px));

  const flush = () => {
    frame = 0;
    const a = area();
    on.hover(lastX === null || !a || !inside(lastX, a) ? null : lastX);
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(flush);
  };
  const move = (e: MouseEvent) => {
    lastX = toPx(e);
    schedule();
    const a = area();
    if (dragFrom !== null && a) on.selecting({ fromPx: dragFrom, toPx: clamp(lastX, a) });
  };
  const leave = () => {
    if (dragFrom !== null) return;
    lastX = null;
    schedule();
  };
  const endDrag = (e: MouseEvent | null) => {
    const from = dragFrom;
    dragFrom = null;
    window.removeEventListener('mousemove', move);
    window.removeEventListener('mouseup', up);
    window.removeEventListener('keydown', key);
    canvas.addEventListener('mousemove', move);
    on.selecting(null);
    if (e) {
      // Released outside the canvas: no mouseleave will come, so the hover ends here.
      const r = canvas.getBoundingClientRect();
      if (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom) {
        lastX = null;
        schedule();
      }
    }
    const a = area();
    if (e && from !== null && a) {
      const to = clamp(toPx(e), a);
      if (Math.abs(to - from) >= MIN_DRAG_PX) on.selected(from, to);
    }
  };
  const up = (e: MouseEvent) => endDrag(e);
  const key = (e: KeyboardEvent) => {
    if (e.key === 'Escape') endDrag(null);
  };
  const down = (e: MouseEvent) => {
    const a = area();
    if (e.button !== 0 || !a) return;
    const px = toPx(e);
    if (!inside(px, a)) return;
    e.preventDefault(); // no text selection while dragging
    dragFrom = px;
    // Followed on the window while dragging (the canvas's own listener would see each move twice).
    canvas.removeEventListener('mousemove', move);
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
    window.addEventListener('keydown', key);
  };
  const wheel = (e: WheelEvent) => {
    const a = area();
    const px = toPx(e);
    if (!a || !inside(px, a) || e.deltaY === 0) return;
    if (on.wheel(px, wheelFactor(e.deltaY, e.deltaMode, e.ctrlKey))) e.preventDefault();
  };
  const dblclick = (e: MouseEvent) => {
    e.preventDefault();
    on.reset();
  };

  canvas.addEventListener('mousemove', move);
  canvas.addEventListener('mouseleave', leave);
  canvas.addEventListener('mousedown', down);
  canvas.addEventListener('dblclick', dblclick);
  // Not passive: a wheel that zooms must not also scroll the page.
  canvas.addEventListener('wheel', wheel, { passive: false });
  return () => {
    canvas.removeEventListener('mousemove', move);
    canvas.removeEventListener('mouseleave', leave);
    canvas.removeEventListener('mousedown', down);
    canvas.removeEventListener('dblclick', dblclick);
    canvas.removeEventListener('wheel', wheel);
    window.removeEventListener('mousemove', move);
    window.removeEventListener('mouseup', up);
    window.removeEventListener('keydown', key);
    if (frame) cancelAnimationFrame(frame);
  };
}
