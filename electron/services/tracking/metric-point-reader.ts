import type { Database, Statement } from 'better-sqlite3';

/**
 * Where a read of a series stopped: the metric_points key after series_id. The next slice starts
 * strictly after it, so a point is read once whatever was logged in between.
 */
export interface PointCursor {
  step: number;
  timestamp: number;
  isNan: 0 | 1;
  value: number;
}

/** A stored point as read, in key order: [step, timestamp, is_nan, value]. Arrays, not objects: a slice holds tens of thousands. */
export type PointTuple = [step: number, timestamp: number, isNan: 0 | 1, value: number];

/** One series read a slice at a time, in (step, timestamp, is_nan, value) order. */
export interface SeriesSlices {
  /** Up to `limit` points after the last one returned (or after the start); fewer only at the end. */
  next(limit: number): PointTuple[];
  /** Where the next slice starts (the last point returned, or the starting cursor), for a page token; null at the very start. */
  cursor(): PointCursor | null;
  /**
   * For an old offset token: moves up to SKIP_STEP points further towards the offset; false once
   * it is reached. Called between turns of the event loop, so a token deep in a long series (or
   * past its end) never holds the server: OFFSET's cost grows with the offset.
   */
  skipSome(): boolean;
}

/** Points passed over per skipSome() call: a few milliseconds of an index walk. */
export const SKIP_STEP = 50_000;

const COLUMNS = 'SELECT step, timestamp, is_nan, value FROM metric_points WHERE series_id = ?';
const ORDER = 'ORDER BY step, timestamp, is_nan, value LIMIT ?';

/**
 * Reads whole metric series in slices by keyset on the primary key (never OFFSET, whose cost
 * grows with the depth of the page).
 *
 * Each slice is its own `.all()` on the app's one connection, not an iterator held open or a read
 * transaction spanning the stream: better-sqlite3 refuses every other statement on a connection
 * while an iterator is open, and a read transaction held while a slow client drains the response
 * would pin the WAL (no checkpoint can pass it, so it grows without bound) for as long as the
 * client likes. A second connection would buy no speed either: better-sqlite3 is synchronous, so
 * its reads run on the same thread. So slices are separate statements; the keyset makes that
 * safe: every point stored for the whole read comes exactly once and in order, and a point logged
 * meanwhile comes when it sorts after the cursor, as it would for a client paging.
 */
export class MetricPointReader {
  private readonly findSeries: Statement;
  private readonly first: Statement;
  private readonly after: Statement;
  private readonly skipFirst: Statement;
  private readonly skipAfter: Statement;
  private readonly pointCount: Statement;

  constructor(db: Database) {
    this.findSeries = db.prepare('SELECT series_id FROM metric_series WHERE run_id = ? AND key = ?').pluck(true);
    this.first = db.prepare(`${COLUMNS} ${ORDER}`).raw(true);
    this.after = db.prepare(`${COLUMNS} AND (step, timestamp, is_nan, value) > (?, ?, ?, ?) ${ORDER}`).raw(true);
    // Only for the numeric page tokens older servers handed out, a bounded step at a time (skipSome).
    this.skipFirst = db.prepare(`${COLUMNS} ORDER BY step, timestamp, is_nan, value LIMIT 1 OFFSET ?`).raw(true);
    this.skipAfter = db.prepare(`${COLUMNS} AND (step, timestamp, is_nan, value) > (?, ?, ?, ?) ORDER BY step, timestamp, is_nan, value LIMIT 1 OFFSET ?`).raw(true);
    this.pointCount = db.prepare('SELECT point_count FROM metric_series WHERE series_id = ?').pluck(true);
  }

  /** The series of `key` in `runId`, from the start, after `from` (a cursor), or past `from` points (an old offset token). */
  slices(runId: string, key: string, from: PointCursor | number | null = null): SeriesSlices {
    const seriesId = (this.findSeries.get(runId, key) as number | undefined) ?? null;
    let cursor: PointCursor | null = typeof from === 'object' ? from : null;
    let offset = typeof from === 'number' ? from : 0;
    let done = seriesId === null;
    // An offset at or past the end answers at once, however large.
    if (!done && offset > 0 && offset >= (this.pointCount.get(seriesId) as number)) done = true;
    const setCursor = (row: PointTuple) => (cursor = { step: row[0], timestamp: row[1], isNan: row[2], value: row[3] });
    const skipSome = (): boolean => {
      if (done || offset <= 0) return false;
      const count = Math.min(offset, SKIP_STEP);
      // The point `count` places on is the last one skipped: the read goes on after it.
      const row = (cursor
        ? this.skipAfter.get(seriesId, cursor.step, cursor.timestamp, cursor.isNan, cursor.value, count - 1)
        : this.skipFirst.get(seriesId, count - 1)) as PointTuple | undefined;
      offset -= count;
      if (row) setCursor(row);
      else done = true;
      return offset > 0 && !done;
    };
    return {
      skipSome,
      next: (limit) => {
        if (done || limit <= 0) return [];
        while (offset > 0 && !done) skipSome();
        if (done) return [];
        const rows = (cursor
          ? this.after.all(seriesId, cursor.step, cursor.timestamp, cursor.isNan, cursor.value, limit)
          : this.first.all(seriesId, limit)) as PointTuple[];
        if (rows.length < limit) done = true;
        const last = rows.at(-1);
        if (last) setCursor(last);
        return rows;
      },
      cursor: () => cursor,
    };
  }
}
