import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { XRange } from './chart-zoom';
import type { XAxisMode } from './series-math';

/** An x zoom and the axis it was made on: a step range means nothing on a time axis. */
export interface ChartZoom {
  mode: XAxisMode;
  range: XRange;
}

export interface ChartZoomState {
  zoom: ChartZoom | null;
  setZoom(zoom: ChartZoom | null): void;
}

const ChartZoomContext = createContext<ChartZoomState | null>(null);

/** Charts inside share one x zoom: zooming one (drag, wheel, double-click to reset) zooms all. */
export function ChartZoomProvider({ children }: { children: ReactNode }) {
  const [zoom, setZoom] = useState<ChartZoom | null>(null);
  const value = useMemo(() => ({ zoom, setZoom }), [zoom]);
  return <ChartZoomContext.Provider value={value}>{children}</ChartZoomContext.Provider>;
}

/**
 * The x range a chart on axis `mode` shows (null: all of it) and how to change it: the shared one
 * inside a ChartZoomProvider, else the chart's own.
 */
export function useChartZoom(mode: XAxisMode): { range: XRange | null; setRange(range: XRange | null): void } {
  const shared = useContext(ChartZoomContext);
  const [own, setOwn] = useState<ChartZoom | null>(null);
  const zoom = shared ? shared.zoom : own;
  const set = shared ? shared.setZoom : setOwn;
  const setRange = useCallback((range: XRange | null) => set(range ? { mode, range } : null), [set, mode]);
  return { range: zoom && zoom.mode === mode ? zoom.range : null, setRange };
}
