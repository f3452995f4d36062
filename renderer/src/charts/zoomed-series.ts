import { useEffect, useState } from 'react';
import { stepWindow, type XRange } from './chart-zoom';
import type { ChartSeries } from './metric-chart';
import type { XAxisMode } from './series-math';

/** Reads a chart's series again over a step window (both ends included), at full resolution. */
export type ReloadSeries = (window: { startStep: number; endStep: number }) => Promise<readonly ChartSeries[]>;

/** Waits for the wheel to settle before asking the server: a zoom gesture is many events. */
const RELOAD_DELAY_MS = 200;

/**
 * The series re-read for the zoomed step range, so zooming into a downsampled series shows its
 * every point there; null while there is nothing to re-read (not zoomed, a time axis, every series
 * already exact, no `reload`) or the answer has not come: the chart then zooms the loaded data.
 * A failed read leaves the loaded data zoomed too: it is still right, only coarser.
 */
export function useZoomedSeries(series: readonly ChartSeries[], range: XRange | null, mode: XAxisMode, reload: ReloadSeries | undefined): readonly ChartSeries[] | null {
  const [loaded, setLoaded] = useState<{ key: string; series: readonly ChartSeries[] } | null>(null);
  const wanted = reload && range && mode === 'step' && series.some((s) => s.exact === false) ? stepWindow(range) : null;
  const key = wanted ? `${wanted.startStep}:${wanted.endStep}` : null;

  useEffect(() => {
    if (!key || !reload) return;
    const [startStep, endStep] = key.split(':').map(Number) as [number, number];
    let stale = false;
    const timer = setTimeout(() => {
      reload({ startStep, endStep }).then(
        (answer) => void (!stale && setLoaded({ key, series: answer })),
        () => undefined,
      );
    }, RELOAD_DELAY_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
    // `series` is a dependency so a live run's new points are read for the window too.
  }, [key, reload, series]);

  return key !== null && loaded?.key === key ? loaded.series : null;
}
