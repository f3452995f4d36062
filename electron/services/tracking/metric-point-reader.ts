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
}

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
  private readonly fromOffset: Statement;

  constructor(db: Database) {
    this.findSeries = db.prepare('SELECT series_id FROM metric_series WHERE run_id = ? AND key = ?').pluck(true);
    this.first = db.prepare(`${COLUMNS} ${ORDER}`).raw(true);
    this.after = db.prepare(`${COLUMNS} AND (step, timestamp, is_nan, value) > (?, ?, ?, ?) ${ORDER}`).raw(true);
    // Only for the numeric page tokens older servers handed out; the slices after it go by keyset.
    this.fromOffset = db.prepare(`${COLUMNS} ${ORDER} OFFSET ?`).raw(true);
  }

  /** The series of `key` in `runId`, from the start, after `from` (a cursor), or past `from` points (an old offset token). */
  slices(runId: string, key: string, from: PointCursor | number | null = null): SeriesSlices {
    const seriesId = (this.findSeries.get(runId, key) as number | undefined) ?? null;
    let cursor: PointCursor | null = typeof from === 'object' ? from : null;
    let offset = typeof from === 'number' ? from : 0;
    let done = seriesId === null;
    return {
      next: (limit) => {
        if (done || limit <= 0) return [];
        let rows: PointTuple[];
        if (offset > 0) rows = this.fromOffset.all(seriesId, limit, offset) as PointTuple[];
        else if (cursor) rows = this.after.all(seriesId, cursor.step, cursor.timestamp, cursor.isNan, cursor.value, limit) as PointTuple[];
        else rows = this.first.all(seriesId, limit) as PointTuple[];
        offset = 0;
        if (rows.length < limit) done = true;
        const last = rows.at(-1);
        if (last) cursor = { step: last[0], timestamp: last[1], isNan: last[2], value: last[3] };
        return rows;
      },
      cursor: () => cursor,
    };
  }
}
