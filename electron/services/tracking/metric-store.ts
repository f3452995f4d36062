import type { Database, Statement } from 'better-sqlite3';
import type { LatestMetric, MetricBucket, MetricSeries } from '../../../shared/contract/tracking';
import { BucketAggregate } from './metric-bucket';
import { fromStored, storedValue, toMetricValue } from './metric-value';

export interface MetricPoint {
  key: string;
  value: number;
  step: number;
  timestamp: number;
}

export interface StoredPoint {
  step: number;
  timestamp: number;
  value: number;
}

/** Rollup levels: level L groups steps into buckets of 16^L (16 … 16^8 ≈ 4.3e9 steps). */
const FANOUT = 16;
const LEVELS = 8;
const widths = Array.from({ length: LEVELS + 1 }, (_, level) => FANOUT ** level);

interface SeriesRow {
  series_id: number;
  point_count: number;
  min_step: number;
  max_step: number;
  last_value: number | null;
  last_is_nan: number;
  last_step: number;
  last_timestamp: number;
}

interface RollupRow {
  bucket: number;
  count: number;
  first_step: number;
  last_step: number;
  min_value: number | null;
  min_step: number | null;
  max_value: number | null;
  max_step: number | null;
  last_value: number;
  last_is_nan: number;
  last_timestamp: number;
}

interface PointRow {
  step: number;
  timestamp: number;
  is_nan: number;
  value: number;
}

/**
 * Metric points and their rollups. Writes keep every level's buckets current in the same
 * transaction; reads pick the coarsest level that still gives the buckets asked for, so their
 * cost follows the bucket count, not the series length. Callers wrap writes in a transaction.
 */
export class MetricStore {
  private readonly seriesIds = new Map<string, number>();
  private readonly statements: Record<string, Statement>;

  constructor(private readonly db: Database) {
    this.statements = {
      findSeries: db.prepare('SELECT series_id FROM metric_series WHERE run_id = ? AND key = ?'),
      createSeries: db.prepare('INSERT INTO metric_series (run_id, key) VALUES (?, ?)'),
      series: db.prepare('SELECT * FROM metric_series WHERE series_id = ?'),
      insertPoint: db.prepare('INSERT OR IGNORE INTO metric_points (series_id, step, timestamp, is_nan, value) VALUES (?, ?, ?, ?, ?)'),
      updateSeries: db.prepare(`
        UPDATE metric_series SET
          point_count = point_count + @count,
          min_step = min(coalesce(min_step, @firstStep), @firstStep),
          max_step = max(coalesce(max_step, @lastStep), @lastStep),
          last_value = CASE WHEN last_step IS NULL OR @lastStep > last_step OR (@lastStep = last_step AND @lastTimestamp >= last_timestamp) THEN @lastValue ELSE last_value END,
          last_is_nan = CASE WHEN last_step IS NULL OR @lastStep > last_step OR (@lastStep = last_step AND @lastTimestamp >= last_timestamp) THEN @lastIsNan ELSE last_is_nan END,
          last_timestamp = CASE WHEN last_step IS NULL OR @lastStep > last_step OR (@lastStep = last_step AND @lastTimestamp >= last_timestamp) THEN @lastTimestamp ELSE last_timestamp END,
          last_step = max(coalesce(last_step, @lastStep), @lastStep)
        WHERE series_id = @seriesId
        RETURNING key, last_value, last_is_nan, last_step, last_timestamp`),
      upsertRollup: db.prepare(`
        INSERT INTO metric_rollups (series_id, level, bucket, count, first_step, last_step, min_value, min_step, max_value, max_step, last_value, last_is_nan, last_timestamp)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (series_id, level, bucket) DO UPDATE SET
          count = count + excluded.count,
          first_step = min(first_step, excluded.first_step),
          min_step = CASE WHEN excluded.min_value IS NOT NULL AND (min_value IS NULL OR excluded.min_value < min_value) THEN excluded.min_step ELSE min_step END,
          min_value = CASE WHEN excluded.min_value IS NOT NULL AND (min_value IS NULL OR excluded.min_value < min_value) THEN excluded.min_value ELSE min_value END,
          max_step = CASE WHEN excluded.max_value IS NOT NULL AND (max_value IS NULL OR excluded.max_value > max_value) THEN excluded.max_step ELSE max_step END,
          max_value = CASE WHEN excluded.max_value IS NOT NULL AND (max_value IS NULL OR excluded.max_value > max_value) THEN excluded.max_value ELSE max_value END,
          last_value = CASE WHEN excluded.last_step > last_step OR (excluded.last_step = last_step AND excluded.last_timestamp >= last_timestamp) THEN excluded.last_value ELSE last_value END,
          last_is_nan = CASE WHEN excluded.last_step > last_step OR (excluded.last_step = last_step AND excluded.last_timestamp >= last_timestamp) THEN excluded.last_is_nan ELSE last_is_nan END,
          last_timestamp = CASE WHEN excluded.last_step > last_step OR (excluded.last_step = last_step AND excluded.last_timestamp >= last_timestamp) THEN excluded.last_timestamp ELSE last_timestamp END,
          last_step = max(last_step, excluded.last_step)`),
      rollups: db.prepare('SELECT * FROM metric_rollups WHERE series_id = ? AND level = ? AND bucket BETWEEN ? AND ? ORDER BY bucket'),
      pointsInRange: db.prepare(
        'SELECT step, timestamp, is_nan, value FROM metric_points WHERE series_id = ? AND step BETWEEN ? AND ? ORDER BY step, timestamp LIMIT ?',
      ),
      pointsPage: db.prepare('SELECT step, timestamp, is_nan, value FROM metric_points WHERE series_id = ? ORDER BY step, timestamp LIMIT ? OFFSET ?'),
      latestForRun: db.prepare(
        'SELECT key, last_value, last_is_nan, last_step, last_timestamp FROM metric_series WHERE run_id = ? AND point_count > 0 ORDER BY key',
      ),
      keysForRun: db.prepare('SELECT key FROM metric_series WHERE run_id = ? ORDER BY key'),
    };
  }

  /** Stores points (duplicates of an existing point are ignored) and returns the new latest values. */
  append(runId: string, points: readonly MetricPoint[]): LatestMetric[] {
    const byKey = new Map<string, MetricPoint[]>();
    for (const point of points) {
      const list = byKey.get(point.key);
      if (list) list.push(point);
      else byKey.set(point.key, [point]);
    }
    const latest: LatestMetric[] = [];
    for (const [key, list] of byKey) {
      const seriesId = this.seriesId(runId, key);
      const total = new BucketAggregate();
      const levels = Array.from({ length: LEVELS + 1 }, () => new Map<number, BucketAggregate>());
      for (const point of list) {
        const stored = storedValue(point.value);
        const { changes } = this.statements.insertPoint!.run(seriesId, point.step, point.timestamp, stored.isNan, stored.value);
        if (changes === 0) continue;
        total.add(point.step, point.timestamp, point.value);
        for (let level = 1; level <= LEVELS; level++) {
          const bucket = Math.floor(point.step / widths[level]!);
          const buckets = levels[level]!;
          let agg = buckets.get(bucket);
          if (!agg) buckets.set(bucket, (agg = new BucketAggregate()));
          agg.add(point.step, point.timestamp, point.value);
        }
      }
      if (total.count === 0) continue;
      levels.forEach((buckets, level) => {
        for (const [bucket, agg] of buckets) this.writeRollup(seriesId, level, bucket, agg);
      });
      const last = storedValue(total.lastValue);
      const row = this.statements.updateSeries!.get({
        seriesId,
        count: total.count,
        firstStep: total.firstStep,
        lastStep: total.lastStep,
        lastTimestamp: total.lastTimestamp,
        lastValue: last.value,
        lastIsNan: last.isNan,
      }) as { key: string; last_value: number; last_is_nan: number; last_step: number; last_timestamp: number };
      latest.push({ key: row.key, value: toMetricValue(fromStored(row.last_is_nan, row.last_value)), step: row.last_step, timestamp: row.last_timestamp });
    }
    return latest;
  }

  latest(runId: string): LatestMetric[] {
    return (this.statements.latestForRun!.all(runId) as Array<{ key: string; last_value: number; last_is_nan: number; last_step: number; last_timestamp: number }>).map(
      (row) => ({ key: row.key, value: toMetricValue(fromStored(row.last_is_nan, row.last_value)), step: row.last_step, timestamp: row.last_timestamp }),
    );
  }

  keys(runId: string): string[] {
    return (this.statements.keysForRun!.all(runId) as Array<{ key: string }>).map((r) => r.key);
  }

  /** Every point of a series in step order, a page at a time (MLflow get-history). */
  points(runId: string, key: string, limit: number, offset: number): StoredPoint[] {
    const seriesId = this.findSeries(runId, key);
    if (seriesId === null) return [];
    return (this.statements.pointsPage!.all(seriesId, limit, offset) as PointRow[]).map(toPoint);
  }

  /** At most `buckets` buckets over [startStep, endStep]; the exact points when there are that few. */
  downsample(runId: string, key: string, buckets: number, startStep?: number, endStep?: number): MetricSeries {
    const empty: MetricSeries = { runId, key, exact: true, totalPoints: 0, buckets: [] };
    const seriesId = this.findSeries(runId, key);
    if (seriesId === null) return empty;
    const series = this.statements.series!.get(seriesId) as SeriesRow;
    const from = Math.max(startStep ?? series.min_step, series.min_step);
    const to = Math.min(endStep ?? series.max_step, series.max_step);
    if (from > to) return { ...empty, totalPoints: series.point_count };

    if (series.point_count <= buckets) {
      return { runId, key, exact: true, totalPoints: series.point_count, buckets: this.exactBuckets(seriesId, from, to, buckets) };
    }
    const span = to - from + 1;
    let level = 1;
    while (level < LEVELS && Math.ceil(span / widths[level]!) + 1 > buckets) level++;
    const width = widths[level]!;
    const rows = this.statements.rollups!.all(seriesId, level, Math.floor(from / width), Math.floor(to / width)) as RollupRow[];
    const inRange = rows.reduce((sum, row) => sum + row.count, 0);
    if (inRange <= buckets) {
      const exact = this.exactBuckets(seriesId, from, to, buckets + 1);
      if (exact.length <= buckets) return { runId, key, exact: true, totalPoints: series.point_count, buckets: exact };
    }
    const aggregates = rows.map((row) => {
      // A bucket reaching past either end of the range is rebuilt from the points inside it.
      if (row.first_step < from || row.last_step > to) {
        const lo = Math.max(from, row.bucket * width);
        const hi = Math.min(to, (row.bucket + 1) * width - 1);
        return this.aggregateRange(seriesId, lo, hi);
      }
      return rollupToAggregate(row);
    });
    return {
      runId,
      key,
      exact: false,
      totalPoints: series.point_count,
      buckets: mergeInto(aggregates.filter((a) => a.count > 0), buckets).map((a) => a.toBucket()),
    };
  }

  private exactBuckets(seriesId: number, from: number, to: number, limit: number): MetricBucket[] {
    return (this.statements.pointsInRange!.all(seriesId, from, to, limit) as PointRow[]).map((row) => {
      const agg = new BucketAggregate();
      agg.add(row.step, row.timestamp, fromStored(row.is_nan, row.value));
      return agg.toBucket();
    });
  }

  private aggregateRange(seriesId: number, from: number, to: number): BucketAggregate {
    const agg = new BucketAggregate();
    for (const row of this.statements.pointsInRange!.iterate(seriesId, from, to, Number.MAX_SAFE_INTEGER) as Iterable<PointRow>) {
      agg.add(row.step, row.timestamp, fromStored(row.is_nan, row.value));
    }
    return agg;
  }

  private writeRollup(seriesId: number, level: number, bucket: number, agg: BucketAggregate): void {
    const last = storedValue(agg.lastValue);
    this.statements.upsertRollup!.run(
      seriesId,
      level,
      bucket,
      agg.count,
      agg.firstStep,
      agg.lastStep,
      agg.min,
      agg.minStep,
      agg.max,
      agg.maxStep,
      last.value,
      last.isNan,
      agg.lastTimestamp,
    );
  }

  private seriesId(runId: string, key: string): number {
    const found = this.findSeries(runId, key);
    if (found !== null) return found;
    const id = Number(this.statements.createSeries!.run(runId, key).lastInsertRowid);
    this.seriesIds.set(`${runId}\u0000${key}`, id);
    return id;
  }

  private findSeries(runId: string, key: string): number | null {
    const cacheKey = `${runId}\u0000${key}`;
    const cached = this.seriesIds.get(cacheKey);
    if (cached !== undefined) return cached;
    const row = this.statements.findSeries!.get(runId, key) as { series_id: number } | undefined;
    if (!row) return null;
    this.seriesIds.set(cacheKey, row.series_id);
    return row.series_id;
  }
}

function toPoint(row: PointRow): StoredPoint {
  return { step: row.step, timestamp: row.timestamp, value: fromStored(row.is_nan, row.value) };
}

function rollupToAggregate(row: RollupRow): BucketAggregate {
  const agg = new BucketAggregate();
  agg.count = row.count;
  agg.firstStep = row.first_step;
  agg.lastStep = row.last_step;
  agg.min = row.min_value;
  agg.minStep = row.min_step;
  agg.max = row.max_value;
  agg.maxStep = row.max_step;
  agg.lastValue = fromStored(row.last_is_nan, row.last_value);
  agg.lastTimestamp = row.last_timestamp;
  return agg;
}

/** Joins neighbouring aggregates so no more than `limit` remain (used when even the coarsest level has too many). */
function mergeInto(aggregates: BucketAggregate[], limit: number): BucketAggregate[] {
  if (aggregates.length <= limit) return aggregates;
  const per = Math.ceil(aggregates.length / limit);
  const merged: BucketAggregate[] = [];
  for (let i = 0; i < aggregates.length; i += per) {
    const agg = new BucketAggregate();
    for (const part of aggregates.slice(i, i + per)) agg.merge(part);
    merged.push(agg);
  }
  return merged;
}
