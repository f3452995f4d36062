import BetterSqlite3 from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../electron/services/store/database';
import { MetricStore, type MetricPoint } from '../../../electron/services/tracking/metric-store';
import { tempDir } from '../../helpers/temp-dir';
import { bucketList } from '../../../shared/metric-buckets';
import { emptyBuckets } from '../../../electron/services/tracking/metric-bucket';
import type { MetricSeries } from '../../../shared/contract/tracking';

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

  it('re-sending only points already stored reports no new latest value and leaves the latest as it was', () => {
    append([{ key: 'k', step: 3, timestamp: 30, value: 0.5 }]);
    expect(db.transaction(() => store.append(RUN, [{ key: 'k', step: 3, timestamp: 30, value: 0.5 }]))()).toEqual([]);
    expect(store.latest(RUN)).toEqual([{ key: 'k', value: 0.5, step: 3, timestamp: 30 }]);
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

  it('a NaN point repeated inside one fresh batch is stored once, and a 0 at the same step and time is a different point', () => {
    const batch = series(60, (s) => (s === 5 ? Number.NaN : s));
    batch.splice(10, 0, { key: 'loss', step: 5, timestamp: 1005, value: Number.NaN }, { key: 'loss', step: 5, timestamp: 1005, value: 0 });
    append(batch);
    const atStep5 = store.points(RUN, 'loss', 1000, 0).filter((p) => p.step === 5);
    expect(atStep5.map((p) => p.value).sort()).toEqual([0, Number.NaN]);
    expect(rows(store.downsample(RUN, 'loss', 4)).reduce((n, b) => n + b.count, 0)).toBe(61);
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

  it('exact points carry NaN without a min or max, and ±Infinity as strings', () => {
    append([
      { key: 'loss', step: 1, timestamp: 1, value: Number.NaN },
      { key: 'loss', step: 2, timestamp: 2, value: Number.POSITIVE_INFINITY },
      { key: 'loss', step: 3, timestamp: 3, value: Number.NEGATIVE_INFINITY },
    ]);
    const result = store.downsample(RUN, 'loss', 10);
    expect(result.exact).toBe(true);
    expect(rows(result).map((b) => [b.min, b.max, b.last])).toEqual([
      [null, null, 'NaN'],
      ['Infinity', 'Infinity', 'Infinity'],
      ['-Infinity', '-Infinity', '-Infinity'],
    ]);
  });

  it('a downsampled bucket keeps ±Infinity as its extremes and ends on NaN when the last point is NaN', () => {
    const special = new Map([
      [40, Number.POSITIVE_INFINITY],
      [41, Number.NEGATIVE_INFINITY],
      [63, Number.NaN],
    ]);
    append(series(100, (s) => special.get(s) ?? s));
    const result = store.downsample(RUN, 'loss', 5);
    expect(result.exact).toBe(false);
    expect(rows(result)[1]).toEqual({
      stepStart: 32,
      stepEnd: 63,
      count: 32,
      min: '-Infinity',
      minStep: 41,
      max: 'Infinity',
      maxStep: 40,
      last: 'NaN',
      lastStep: 63,
      lastTimestamp: 1063,
    });
  });

  it('an unknown series is empty, not an error', () => {
    expect(store.downsample(RUN, 'nothing', 10)).toMatchObject({ exact: true, totalPoints: 0 });
    expect(rows(store.downsample(RUN, 'nothing', 10))).toEqual([]);
  });
});

describe('downsampling a range', () => {
  const stepsOf = (r: MetricSeries) => rows(r).map((b) => [b.stepStart, b.stepEnd, b.count]);

  // 2000 points, steps 0..1999. A range is read from the finest rollup level (32, 128, ... steps)
  // whose buckets fit, and the buckets at its ends are cut to the range.
  it.each<{ buckets: number; from: number; to: number; expected: number[][] }>([
    {
      buckets: 11,
      from: 1000,
      to: 1288,
      expected: [[1000, 1023, 24], ...Array.from({ length: 8 }, (_, i) => [1024 + 32 * i, 1055 + 32 * i, 32]), [1280, 1288, 9]],
    },
    {
      buckets: 10,
      from: 1000,
      to: 1288,
      expected: [
        [1000, 1023, 24],
        [1024, 1151, 128],
        [1152, 1279, 128],
        [1280, 1288, 9],
      ],
    },
  ])('$buckets buckets over steps $from..$to come back as the buckets of the finest level that fits', ({ buckets, from, to, expected }) => {
    append(series(2000, (s) => s));
    const result = store.downsample(RUN, 'loss', buckets, from, to);
    expect(result).toMatchObject({ exact: false, totalPoints: 2000 });
    expect(stepsOf(result)).toEqual(expected);
  });

  it.each<{ from: number; to: number; buckets: number }>([
    { from: 1000, to: 1009, buckets: 10 },
    { from: 1000, to: 1000, buckets: 10 },
    // 991 points, though the 32-step buckets this range touches hold 1024.
    { from: 500, to: 1490, buckets: 1000 },
  ])('a range of no more points than buckets ($from..$to, $buckets) returns exactly those points', ({ from, to, buckets }) => {
    append(series(2000, (s) => s * 2));
    const result = store.downsample(RUN, 'loss', buckets, from, to);
    expect(result).toMatchObject({ exact: true, totalPoints: 2000 });
    expect(rows(result).map((b) => b.stepStart)).toEqual(Array.from({ length: to - from + 1 }, (_, i) => from + i));
    expect(rows(result)[0]).toEqual({ stepStart: from, stepEnd: from, count: 1, min: from * 2, minStep: from, max: from * 2, maxStep: from, last: from * 2, lastStep: from, lastTimestamp: 1000 + from });
  });

  it('one point more than buckets is downsampled, every point still counted', () => {
    append(series(2000, (s) => s));
    const result = store.downsample(RUN, 'loss', 10, 1000, 1010);
    expect(result.exact).toBe(false);
    expect(rows(result).length).toBeLessThanOrEqual(10);
    expect(rows(result).reduce((n, b) => n + b.count, 0)).toBe(11);
  });

  it('a range that ends before it starts is empty, and still says how many points the series has', () => {
    append(series(100, (s) => s));
    expect(store.downsample(RUN, 'loss', 10, 40, 35)).toEqual({ runId: RUN, key: 'loss', exact: true, totalPoints: 100, buckets: emptyBuckets() });
    expect(store.downsample(RUN, 'loss', 10, 500, 600)).toEqual({ runId: RUN, key: 'loss', exact: true, totalPoints: 100, buckets: emptyBuckets() });
  });

  it('a rollup bucket at the edge with no point inside the range leaves no empty bucket', () => {
    // Steps 0, 10, ..., 19990: the 128-step bucket 896..1023 ends at step 1020, before the range.
    append(Array.from({ length: 2000 }, (_, i) => ({ key: 'loss', step: i * 10, timestamp: i, value: i })));
    expect(stepsOf(store.downsample(RUN, 'loss', 5, 1021, 1500))).toEqual([
      [1030, 1150, 13],
      [1160, 1270, 12],
      [1280, 1400, 13],
      [1410, 1500, 10],
    ]);
  });

  // 100 points spaced `spacing` apart (up to ~7.7e10 steps) asked for 10 buckets: each level is
  // reached, and a bucket holds the points of one window of `width` steps.
  it.each<{ spacing: number; width: number }>([
    { spacing: 2, width: 32 },
    { spacing: 11, width: 128 },
    { spacing: 46, width: 512 },
    { spacing: 186, width: 2048 },
    { spacing: 744, width: 8192 },
    { spacing: 2978, width: 32768 },
    { spacing: 11_915, width: 131_072 },
    { spacing: 47_662, width: 524_288 },
    { spacing: 190_650, width: 2 ** 21 },
    { spacing: 1_000_000, width: 2 ** 25 },
    { spacing: 48_806_446, width: 2 ** 29 },
    { spacing: 780_903_133, width: 2 ** 33 },
  ])('steps $spacing apart are read in windows of $width steps', ({ spacing, width }) => {
    const points = Array.from({ length: 100 }, (_, i) => ({ key: 'loss', step: i * spacing, timestamp: i, value: i % 7 }));
    append(points);
    const windows = new Map<number, number[]>();
    for (const p of points) windows.set(Math.floor(p.step / width), [...(windows.get(Math.floor(p.step / width)) ?? []), p.step]);
    const expected = [...windows.values()].map((steps) => [steps[0], steps.at(-1), steps.length]);
    const result = store.downsample(RUN, 'loss', 10);
    expect(result.exact).toBe(false);
    expect(stepsOf(result)).toEqual(expected);
    expect(expected.length).toBeLessThanOrEqual(10);
  });

  it('beyond the coarsest level, neighbouring buckets are joined to stay within the count', () => {
    // 25 points 2^33 steps apart: one per coarsest bucket, joined three at a time.
    const spacing = 2 ** 33;
    append(Array.from({ length: 25 }, (_, i) => ({ key: 'loss', step: i * spacing, timestamp: i, value: i === 4 ? -1 : i })));
    const result = store.downsample(RUN, 'loss', 10);
    expect(result.exact).toBe(false);
    expect(stepsOf(result)).toEqual([...Array.from({ length: 8 }, (_, j) => [3 * j * spacing, (3 * j + 2) * spacing, 3]), [24 * spacing, 24 * spacing, 1]]);
    expect(rows(result)[1]).toMatchObject({ min: -1, minStep: 4 * spacing, max: 5, maxStep: 5 * spacing, last: 5, lastStep: 5 * spacing });
  });

  it('three points across the coarsest level asked for two buckets', () => {
    append([0, 2 ** 34, 2 ** 35].map((step, i) => ({ key: 'loss', step, timestamp: i, value: i })));
    expect(stepsOf(store.downsample(RUN, 'loss', 2))).toEqual([
      [0, 2 ** 34, 2],
      [2 ** 35, 2 ** 35, 1],
    ]);
  });
});
