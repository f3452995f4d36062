import BetterSqlite3 from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../electron/services/store/database';
import { MetricStore, type MetricPoint } from '../../../electron/services/tracking/metric-store';
import { tempDir } from '../../helpers/temp-dir';
import { bucketList } from '../../../shared/metric-buckets';

const rows = (r: { buckets: Parameters<typeof bucketList>[0] }) => bucketList(r.buckets);

let db: BetterSqlite3.Database;
let store: MetricStore;
const RUN = 'a'.repeat(32);

beforeEach(() => {
  db = openDatabase({ dataDir: tempDir() }).db;
  db.prepare("INSERT INTO runs (run_id, experiment_id, name, status, artifact_uri, last_update_time) VALUES (?, 0, 'r', 'RUNNING', '', 0)").run(RUN);
  store = new MetricStore(db);
});

const series = (n: number, value: (step: number) => number, key = 'loss'): MetricPoint[] =>
  Array.from({ length: n }, (_, step) => ({ key, step, timestamp: 1000 + step, value: value(step) }));

function append(points: MetricPoint[], chunk = 1000) {
  for (let i = 0; i < points.length; i += chunk) db.transaction(() => store.append(RUN, points.slice(i, i + chunk)))();
}

describe('metric store', () => {
  it('keeps NaN and ±Infinity, and the latest value is the one at the highest step', () => {
    const latest = db.transaction(() =>
      store.append(RUN, [
        { key: 'loss', step: 2, timestamp: 5, value: Number.NaN },
        { key: 'loss', step: 3, timestamp: 6, value: Number.POSITIVE_INFINITY },
        { key: 'loss', step: 1, timestamp: 7, value: -1 },
      ]),
    )();
    expect(latest).toEqual([{ key: 'loss', step: 3, timestamp: 6, value: 'Infinity' }]);
    expect(store.points(RUN, 'loss', 10, 0).map((p) => p.value)).toEqual([-1, Number.NaN, Number.POSITIVE_INFINITY]);
  });

  it('stores an identical point once, as MLflow does', () => {
    append([{ key: 'k', step: 1, timestamp: 1, value: 0.5 }]);
    append([{ key: 'k', step: 1, timestamp: 1, value: 0.5 }]);
    append([{ key: 'k', step: 1, timestamp: 2, value: 0.5 }]);
    expect(store.points(RUN, 'k', 10, 0)).toHaveLength(2);
    expect(store.downsample(RUN, 'k', 10).totalPoints).toBe(2);
  });

  it('a large batch re-sending points already stored keeps each point once, in the points and the rollups', () => {
    append(series(100, (s) => s));
    const again = [...series(100, (s) => s), ...series(120, (s) => s).slice(100)].reverse();
    append(again);
    expect(store.points(RUN, 'loss', 1000, 0)).toHaveLength(120);
    const result = store.downsample(RUN, 'loss', 4);
    expect(rows(result).reduce((n, b) => n + b.count, 0)).toBe(120);
    expect(result.totalPoints).toBe(120);
  });

  it('repeats inside one fresh batch are stored once and counted once', () => {
    const batch = series(60, (s) => s);
    batch.splice(10, 0, { ...batch[5]! }, { ...batch[7]! });
    append(batch.slice(0, 50).concat(batch.slice(50)));
    expect(store.points(RUN, 'loss', 1000, 0)).toHaveLength(60);
    expect(rows(store.downsample(RUN, 'loss', 4)).reduce((n, b) => n + b.count, 0)).toBe(60);
  });

  it('returns the exact points when the series is shorter than the bucket count', () => {
    append(series(50, (s) => s * 2));
    const result = store.downsample(RUN, 'loss', 100);
    expect(result.exact).toBe(true);
    expect(rows(result)).toHaveLength(50);
    expect(rows(result)[10]).toMatchObject({ stepStart: 10, stepEnd: 10, count: 1, min: 20, max: 20, last: 20 });
  });

  it('downsamples a long series to at most N buckets, keeping every spike and the exact min and max', () => {
    const spikes = new Map([
      [12_345, 1000],
      [77_777, -1000],
    ]);
    append(series(100_000, (s) => spikes.get(s) ?? Math.sin(s / 1000)));
    const result = store.downsample(RUN, 'loss', 1000);
    expect(result.exact).toBe(false);
    expect(result.totalPoints).toBe(100_000);
    expect(rows(result).length).toBeLessThanOrEqual(1000);
    // Within 4x of the buckets asked for, so charts keep their detail.
    expect(rows(result).length).toBeGreaterThanOrEqual(250);
    expect(rows(result).reduce((n, b) => n + b.count, 0)).toBe(100_000);
    const top = rows(result).find((b) => b.max === 1000);
    const bottom = rows(result).find((b) => b.min === -1000);
    expect(top?.maxStep).toBe(12_345);
    expect(bottom?.minStep).toBe(77_777);
    expect(rows(result)[0]!.stepStart).toBe(0);
    expect(rows(result).at(-1)!.lastStep).toBe(99_999);
    // Buckets cover the steps in order without overlapping.
    for (let i = 1; i < rows(result).length; i++) expect(rows(result)[i]!.stepStart).toBeGreaterThan(rows(result)[i - 1]!.stepEnd);
  });

  it('a range that cuts through buckets counts exactly the points inside it', () => {
    append(series(20_000, (s) => (s === 5_003 ? 99 : s)));
    const result = store.downsample(RUN, 'loss', 50, 5_001, 15_000);
    expect(rows(result).reduce((n, b) => n + b.count, 0)).toBe(10_000);
    expect(rows(result)[0]!.stepStart).toBe(5_001);
    expect(rows(result).at(-1)!.stepEnd).toBe(15_000);
    expect(Math.max(...rows(result).map((b) => Number(b.max)))).toBe(15_000);
    expect(rows(result).some((b) => b.max === 99 || b.maxStep === 5_003 || b.min === 99)).toBe(true);
  });

  it('zooming in far enough returns exact points again', () => {
    append(series(50_000, (s) => s));
    const result = store.downsample(RUN, 'loss', 1000, 30_000, 30_499);
    expect(result.exact).toBe(true);
    expect(rows(result)).toHaveLength(500);
  });

  it('a bucket of only NaN points has no min or max but a last value', () => {
    append(series(40, () => Number.NaN));
    append(series(40, () => 1, 'other'));
    const result = store.downsample(RUN, 'loss', 2);
    expect(rows(result).every((b) => b.min === null && b.max === null && b.last === 'NaN')).toBe(true);
  });

  it('points logged out of order and with negative steps still aggregate correctly', () => {
    const points = series(5000, (s) => s).reverse();
    points.push({ key: 'loss', step: -10, timestamp: 1, value: -10 });
    append(points, 333);
    const result = store.downsample(RUN, 'loss', 100);
    expect(rows(result).reduce((n, b) => n + b.count, 0)).toBe(5001);
    expect(rows(result)[0]).toMatchObject({ stepStart: -10, min: -10 });
    expect(rows(result).at(-1)).toMatchObject({ lastStep: 4999, last: 4999, max: 4999 });
  });

  it('an unknown series is empty, not an error', () => {
    expect(store.downsample(RUN, 'nothing', 10)).toMatchObject({ exact: true, totalPoints: 0 });
    expect(rows(store.downsample(RUN, 'nothing', 10))).toEqual([]);
  });
});
