import type { Database, Statement } from 'better-sqlite3';
import type { LatestMetric, MetricBuckets, MetricSeries } from '../../../shared/contract/tracking';
import { BucketAggregate, emptyBuckets } from './metric-bucket';
import { fromStored, storedValue, toMetricValue } from './metric-value';
import { SeriesIdCache } from './series-id-cache';

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

/**
 * Rollup levels: level L groups steps into buckets of widths[L] steps. Steps of 4 up to 2^21 keep
 * a read within 4x of the buckets asked for; beyond that, steps of 16 keep writes cheap. The
 * finest level (32 steps) sets how many rollup rows each logged point touches.
 */
const widths = [1, 32, 128, 512, 2048, 8192, 32768, 131072, 524288, 2 ** 21, 2 ** 25, 2 ** 29, 2 ** 33];
const LEVELS = widths.length - 1;
/** Points per multi-row INSERT: one call into SQLite for many rows is over twice as fast. */
const CHUNK = 50;
const DUPLICATES = Symbol('duplicates');

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

/** bucket, count, first_step, last_step, min_value, min_step, max_value, max_step, last_value, last_is_nan, last_timestamp */
type RollupRow = [number, number, number, number, number | null, number | null, number | null, number | null, number, number, number];

interface PointRow {
  step: number;
  timestamp: number;
  is_nan: number;
  value: number;
}

/**
 * Metric points and their rollups. Writes keep every level's buckets current in the same
 * transaction; reads pick the coarsest level that still gives the buckets asked for, so their
 * cost follows the bucket count, not the series length. Callers wrap writes in a transaction and
 * report its outcome with `committed()` or `rolledBack()`.
 */
export class MetricStore {
  private readonly seriesIds = new SeriesIdCache();
  private readonly statements: Record<string, Statement>;
  private readonly chunkInSavepoint: (args: number[]) => void;

  constructor(private readonly db: Database) {
    this.statements = {
      findSeries: db.prepare('SELECT series_id FROM metric_series WHERE run_id = ? AND key = ?'),
      createSeries: db.prepare('INSERT INTO metric_series (run_id, key) VALUES (?, ?)'),
      series: db.prepare('SELECT * FROM metric_series WHERE series_id = ?'),
      maxStep: db.prepare('SELECT max_step FROM metric_series WHERE series_id = ?'),
      insertPoint: db.prepare('INSERT OR IGNORE INTO metric_points (series_id, step, timestamp, is_nan, value) VALUES (?, ?, ?, ?, ?)'),
      insertChunk: db.prepare(
        `INSERT OR IGNORE INTO metric_points (series_id, step, timestamp, is_nan, value) VALUES ${Array(CHUNK).fill('(?, ?, ?, ?, ?)').join(', ')}`,
      ),
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
      // Arrays, not objects: a chart of 100 runs reads tens of thousands of these.
      rollups: db
        .prepare(
          `SELECT bucket, count, first_step, last_step, min_value, min_step, max_value, max_step, last_value, last_is_nan, last_timestamp
           FROM metric_rollups WHERE series_id = ? AND level = ? AND bucket BETWEEN ? AND ? ORDER BY bucket`,
        )
        .raw(true),
      pointsInRange: db.prepare(
        'SELECT step, timestamp, is_nan, value FROM metric_points WHERE series_id = ? AND step BETWEEN ? AND ? ORDER BY step, timestamp LIMIT ?',
      ),
      pointsPage: db.prepare('SELECT step, timestamp, is_nan, value FROM metric_points WHERE series_id = ? ORDER BY step, timestamp LIMIT ? OFFSET ?'),
      latestForRun: db.prepare(
        'SELECT key, last_value, last_is_nan, last_step, last_timestamp FROM metric_series WHERE run_id = ? AND point_count > 0 ORDER BY key',
      ),
      keysForRun: db.prepare('SELECT key FROM metric_series WHERE run_id = ? ORDER BY key'),
    };
    // Nested in the caller's transaction, this is a savepoint: a chunk can be undone alone.
    this.chunkInSavepoint = db.transaction((args: number[]) => {
      if (this.statements.insertChunk!.run(...args).changes !== CHUNK) throw DUPLICATES;
    });
  }

  /** The caller's transaction committed: series ids it created can be trusted. */
  committed(): void {
    this.seriesIds.commit();
  }

  /** The caller's transaction rolled back, or its outcome is unknown: forget what it created. */
  rolledBack(): void {
    this.seriesIds.discard();
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
      const finest = new Map<number, BucketAggregate>();
      for (const point of this.insertPoints(seriesId, list)) {
        total.add(point.step, point.timestamp, point.value);
        const bucket = Math.floor(point.step / widths[1]!);
        let agg = finest.get(bucket);
        if (!agg) finest.set(bucket, (agg = new BucketAggregate()));
        agg.add(point.step, point.timestamp, point.value);
      }
      if (total.count === 0) continue;
      // Each level is built from the one below: widths nest, so a bucket's parent is a division away.
      let below = finest;
      for (let level = 1; level < LEVELS; level++) {
        for (const [bucket, agg] of below) this.writeRollup(seriesId, level, bucket, agg);
        below = parentBuckets(below, widths[level + 1]! / widths[level]!);
      }
      for (const [bucket, agg] of below) this.writeRollup(seriesId, LEVELS, bucket, agg);
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

  /**
   * Inserts points and returns those that were new (an identical point already stored is skipped).
   * Full chunks go in one statement inside a savepoint; a chunk that met a duplicate is undone and
   * redone a row at a time, so the rollups count every stored point exactly once.
   */
  private insertPoints(seriesId: number, points: readonly MetricPoint[]): MetricPoint[] {
    const inserted: MetricPoint[] = [];
    const args: Array<number> = new Array(CHUNK * 5);
    // Steps beyond everything stored cannot collide with a stored point: the usual case of a
    // script logging step after step needs no savepoint.
    let highest = (this.statements.maxStep!.get(seriesId) as { max_step: number | null } | undefined)?.max_step ?? Number.NEGATIVE_INFINITY;
    let i = 0;
    for (; i + CHUNK <= points.length; i += CHUNK) {
      let fresh = true;
      let chunkHighest = highest;
      for (let j = 0; j < CHUNK; j++) {
        const point = points[i + j]!;
        const stored = storedValue(point.value);
        if (point.step <= highest) fresh = false;
        if (point.step > chunkHighest) chunkHighest = point.step;
        args[j * 5] = seriesId;
        args[j * 5 + 1] = point.step;
        args[j * 5 + 2] = point.timestamp;
        args[j * 5 + 3] = stored.isNan;
        args[j * 5 + 4] = stored.value;
      }
      highest = chunkHighest;
      const chunk = points.slice(i, i + CHUNK);
      if (fresh) {
        const changes = this.statements.insertChunk!.run(...args).changes;
        // Only repeats inside the chunk itself can have been skipped; find them the same way SQLite did.
        inserted.push(...(changes === CHUNK ? chunk : uniquePoints(chunk)));
        continue;
      }
      try {
        this.chunkInSavepoint(args);
        inserted.push(...chunk);
      } catch (error) {
        if (error !== DUPLICATES) throw error;
        for (const point of chunk) if (this.insertOne(seriesId, point)) inserted.push(point);
      }
    }
    for (; i < points.length; i++) if (this.insertOne(seriesId, points[i]!)) inserted.push(points[i]!);
    return inserted;
  }

  private insertOne(seriesId: number, point: MetricPoint): boolean {
    const stored = storedValue(point.value);
    return this.statements.insertPoint!.run(seriesId, point.step, point.timestamp, stored.isNan, stored.value).changes === 1;
  }

  latest(runId: string): LatestMetric[] {
    return (this.statements.latestForRun!.all(runId) as Array<{ key: string; last_value: number; last_is_nan: number; last_step: number; last_timestamp: number }>).map(
      (row) => ({ key: row.key, value: toMetricValue(fromStored(row.last_is_nan, row.last_value)), step: row.last_step, timestamp: row.last_timestamp }),
    );
  }

  private latestManyStatement: Statement | undefined;

  /** The latest value of every metric of each run, in one query (a page of runs/search). */
  latestMany(runIds: readonly string[]): Map<string, LatestMetric[]> {
    const result = new Map<string, LatestMetric[]>(runIds.map((id) => [id, []]));
    if (runIds.length === 0) return result;
    this.latestManyStatement ??= this.db.prepare(
      `SELECT run_id, key, last_value, last_is_nan, last_step, last_timestamp FROM metric_series
       WHERE run_id IN (SELECT value FROM json_each(?)) AND point_count > 0 ORDER BY run_id, key`,
    );
    const rows = this.latestManyStatement.all(JSON.stringify(runIds)) as Array<{
      run_id: string;
      key: string;
      last_value: number;
      last_is_nan: number;
      last_step: number;
      last_timestamp: number;
    }>;
    for (const row of rows) {
      result.get(row.run_id)?.push({ key: row.key, value: toMetricValue(fromStored(row.last_is_nan, row.last_value)), step: row.last_step, timestamp: row.last_timestamp });
    }
    return result;
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
    const empty: MetricSeries = { runId, key, exact: true, totalPoints: 0, buckets: emptyBuckets() };
    const seriesId = this.findSeries(runId, key);
    if (seriesId === null) return empty;
    const series = this.statements.series!.get(seriesId) as SeriesRow;
    const from = Math.max(startStep ?? series.min_step, series.min_step);
    const to = Math.min(endStep ?? series.max_step, series.max_step);
    // A reversed range, or a series with no more points than buckets, ends in the exact path below.
    const span = to - from + 1;
    let level = 1;
    while (level < LEVELS && Math.ceil(span / widths[level]!) + 1 > buckets) level++;
    const width = widths[level]!;
    const rows = this.statements.rollups!.all(seriesId, level, Math.floor(from / width), Math.floor(to / width)) as RollupRow[];
    const aggregates = rows.map((row) => {
      // A bucket reaching past either end of the range is rebuilt from the points inside it.
      if (row[2] < from || row[3] > to) {
        const lo = Math.max(from, row[0] * width);
        const hi = Math.min(to, (row[0] + 1) * width - 1);
        return this.aggregateRange(seriesId, lo, hi);
      }
      return rollupToAggregate(row);
    });
    // The end buckets now hold only points inside the range, so this counts exactly those.
    const inRange = aggregates.reduce((sum, agg) => sum + agg.count, 0);
    if (inRange <= buckets) return { runId, key, exact: true, totalPoints: series.point_count, buckets: this.exactBuckets(seriesId, from, to, buckets) };
    const columns = emptyBuckets();
    for (const agg of mergeInto(aggregates.filter((a) => a.count > 0), buckets)) agg.appendTo(columns);
    return { runId, key, exact: false, totalPoints: series.point_count, buckets: columns };
  }

  private exactBuckets(seriesId: number, from: number, to: number, limit: number): MetricBuckets {
    const columns = emptyBuckets();
    for (const row of this.statements.pointsInRange!.iterate(seriesId, from, to, limit) as Iterable<PointRow>) {
      const agg = new BucketAggregate();
      agg.add(row.step, row.timestamp, fromStored(row.is_nan, row.value));
      agg.appendTo(columns);
    }
    return columns;
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
    this.seriesIds.set(runId, key, id, this.db.inTransaction);
    return id;
  }

  private findSeries(runId: string, key: string): number | null {
    const cached = this.seriesIds.get(runId, key);
    if (cached !== undefined) return cached;
    const row = this.statements.findSeries!.get(runId, key) as { series_id: number } | undefined;
    if (!row) return null;
    this.seriesIds.set(runId, key, row.series_id, this.db.inTransaction);
    return row.series_id;
  }
}

/** The first of each identical (step, timestamp, value) point, as the table's key would keep. */
function uniquePoints(points: readonly MetricPoint[]): MetricPoint[] {
  const seen = new Set<string>();
  return points.filter((p) => {
    // `${NaN}` is "NaN", which no number prints as: a repeated NaN matches itself and nothing else.
    const id = `${p.step}|${p.timestamp}|${p.value}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function toPoint(row: PointRow): StoredPoint {
  return { step: row.step, timestamp: row.timestamp, value: fromStored(row.is_nan, row.value) };
}

function rollupToAggregate(row: RollupRow): BucketAggregate {
  const agg = new BucketAggregate();
  [, agg.count, agg.firstStep, agg.lastStep, agg.min, agg.minStep, agg.max, agg.maxStep] = row;
  agg.lastValue = fromStored(row[9], row[8]);
  agg.lastTimestamp = row[10];
  return agg;
}

/** The buckets one level up, `ratio` of these to each. */
function parentBuckets(below: ReadonlyMap<number, BucketAggregate>, ratio: number): Map<number, BucketAggregate> {
  const above = new Map<number, BucketAggregate>();
  for (const [bucket, agg] of below) {
    const parent = Math.floor(bucket / ratio);
    let merged = above.get(parent);
    if (!merged) above.set(parent, (merged = new BucketAggregate()));
    merged.merge(agg);
  }
  return above;
}

/** Joins neighbouring aggregates so no more than `limit` remain (only the coarsest level can have more); otherwise each stays alone. */
function mergeInto(aggregates: BucketAggregate[], limit: number): BucketAggregate[] {
  const per = Math.ceil(aggregates.length / limit);
  const merged: BucketAggregate[] = [];
  for (let i = 0; i < aggregates.length; i += per) {
    const agg = new BucketAggregate();
    for (const part of aggregates.slice(i, i + per)) agg.merge(part);
    merged.push(agg);
  }
  return merged;
}
