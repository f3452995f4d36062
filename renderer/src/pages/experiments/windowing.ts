/** Which rows of a fixed-height list to render for a scroll position. */
export interface RowWindow {
  /** First row to render (inclusive). */
  start: number;
  /** One past the last row to render. */
  end: number;
  /** Pixel offset of the first rendered row. */
  offset: number;
  /** Height of the whole list, so the scrollbar is right. */
  totalHeight: number;
}

export function rowWindow(scrollTop: number, viewportHeight: number, rowHeight: number, count: number, overscan = 8): RowWindow {
  const totalHeight = Math.max(0, count) * rowHeight;
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, totalHeight };
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, totalHeight - viewportHeight));
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, offset: start * rowHeight, totalHeight };
}

/**
 * The scroll position rounded down to a row's top: it gives the same rows as the exact position, so a
 * view that keeps this instead renders once per row scrolled, not once per scroll event.
 */
export function rowTop(scrollTop: number, rowHeight: number): number {
  return rowHeight > 0 ? Math.floor(Math.max(0, scrollTop) / rowHeight) * rowHeight : 0;
}

/** The scrollTop that brings row `index` fully into view, or the current one when it already is. */
export function scrollToRow(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

/** Whether to fetch the next page: the window reaches within `margin` rows of what is loaded. */
export function needsMore(windowEnd: number, loaded: number, hasMore: boolean, margin = 50): boolean {
  return hasMore && windowEnd + margin >= loaded;
}
