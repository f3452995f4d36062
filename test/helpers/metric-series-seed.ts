import { EventBus } from '../../electron/services/events/event-bus';
import { openDatabase } from '../../electron/services/store/database';
import { MetricStore, type MetricPoint } from '../../electron/services/tracking/metric-store';
import { TrackingService } from '../../electron/services/tracking/tracking-service';

/** Points per transaction: how the benches seed millions of points in seconds. */
const CHUNK = 50_000;

/**
 * Writes one run with long metric series into `dataDir` (the server not running), straight
 * through the app's MetricStore: millions of points in seconds, where REST batches of 1,000 would
 * take minutes. `pointAt(i)` gives each series' i-th point, in any order.
 */
export function seedMetricSeries(dataDir: string, series: Record<string, { count: number; pointAt: (i: number) => Omit<MetricPoint, 'key'> }>): { runId: string } {
  const { db } = openDatabase({ dataDir });
  try {
    const tracking = new TrackingService({ db, bus: new EventBus() });
    const metrics = new MetricStore(db);
    const runId = tracking.createRun({ experimentId: tracking.createExperiment('seeded'), name: 'seeded', tags: [] }).runId;
    for (const [key, { count, pointAt }] of Object.entries(series)) {
      for (let from = 0; from < count; from += CHUNK) {
        const points: MetricPoint[] = [];
        for (let i = from; i < Math.min(count, from + CHUNK); i++) points.push({ key, ...pointAt(i) });
        db.transaction(() => metrics.append(runId, points))();
      }
    }
    return { runId };
  } finally {
    db.close();
  }
}
