import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PointTuple, SeriesSlices } from '../../services/tracking/metric-point-reader';
import { toMetricValue } from '../../services/tracking/metric-value';
import { nextTurn } from '../../services/store/event-loop-turns';
import { encodeHistoryPageToken } from './history-page-token';

/**
 * Work per slice (read + format). Every other request, the UI's and /api/health included, waits
 * at most this long for a streaming history; a slice much smaller costs throughput in overhead.
 */
const SLICE_BUDGET_MS = 5;
const FIRST_SLICE = 5_000;
const MIN_SLICE = 500;
/** About 1.6 MB of text: larger strings only add garbage-collection pauses. */
const MAX_SLICE = 20_000;

export interface HistoryAnswer {
  key: string;
  slices: SeriesSlices;
  /** The page size asked for; undefined: every point (older clients do not page). */
  maxResults: number | undefined;
}

/**
 * Answers get-history as MLflow's {"metrics": [...], "next_page_token"}, whatever the series'
 * length, with memory bounded by one slice: a series that fits in the first slice is sent whole
 * (with a content length, as before); a longer one is written as it is read, a slice at a time,
 * yielding to the event loop between slices and waiting for 'drain' when the client reads slower
 * than the store does. A client that goes away stops the reading.
 *
 * Errors before the first byte are ordinary JSON errors (the first slice is read before anything
 * is sent). One after that cannot change the 200 already sent, and a closing "]}" would pass a
 * truncated history off as whole; so the connection is cut instead, which every client sees as
 * a failed request (the chunked body never ends).
 */
export async function sendMetricHistory(req: IncomingMessage, res: ServerResponse, answer: HistoryAnswer): Promise<void> {
  const { key, slices } = answer;
  let remaining = answer.maxResults ?? Number.POSITIVE_INFINITY;
  let size = FIRST_SLICE;
  // One slice read and printed; its size follows how long the last one took, printing included.
  const slice = (): { rows: PointTuple[]; text: string; ended: boolean } => {
    const want = Math.min(size, remaining);
    const started = performance.now();
    const rows = slices.next(want);
    remaining -= rows.length;
    const text = formatSlice(key, rows);
    size = nextSliceSize(size, rows.length, performance.now() - started);
    return { rows, text, ended: rows.length < want };
  };
  // At the end of a page, the token points after its last point, if any point follows.
  const pageToken = (): string | null => {
    const last = slices.cursor();
    return last && slices.next(1).length > 0 ? encodeHistoryPageToken(last) : null;
  };

  // An old offset token: passed over a step per turn, so a deep one never holds other requests.
  while (slices.skipSome()) {
    await nextTurn();
    if (req.destroyed) return;
  }
  const first = slice();
  if (first.ended || remaining === 0) {
    const token = first.ended ? null : pageToken();
    const body = `{"metrics":[${first.text}]${token ? `,"next_page_token":${JSON.stringify(token)}` : ''}}`;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
    return;
  }

  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  if (req.method === 'HEAD') return void res.end();
  let points = first.rows.length;
  let gone = false;
  res.once('close', () => (gone = true));
  try {
    let flowing = res.write(`{"metrics":[${first.text}`);
    for (;;) {
      if (!flowing) await drained(res);
      // Always a turn of the event loop too: a socket that takes a write at once emits 'drain'
      // on process.nextTick, and a loop that only awaited it would never let another request in.
      await nextTurn();
      if (gone || res.destroyed) return; // the client went away: read no further
      const { rows, text, ended } = slice();
      points += rows.length;
      const items = rows.length > 0 ? `,${text}` : '';
      if (ended || remaining === 0) {
        const token = ended ? null : pageToken();
        res.end(`${items}]${token ? `,"next_page_token":${JSON.stringify(token)}` : ''}}`);
        return;
      }
      flowing = res.write(items);
    }
  } catch (error) {
    console.error(`[mlflow] get-history failed after ${points} points were sent; cutting the response:`, error);
    res.destroy();
  }
}

/** The slice size that should take about SLICE_BUDGET_MS, from how long the last one took (at most doubling). */
function nextSliceSize(size: number, read: number, ms: number): number {
  if (read < size) return size;
  const fitted = Math.round((size * SLICE_BUDGET_MS) / Math.max(ms, 0.1));
  return Math.max(MIN_SLICE, Math.min(MAX_SLICE, size * 2, fitted));
}

/** The points as JSON array items without the brackets: JSON.stringify of whole objects is V8's fastest way to print them. */
function formatSlice(key: string, rows: readonly PointTuple[]): string {
  if (rows.length === 0) return '';
  const text = JSON.stringify(rows.map((row) => pointJson(key, row)));
  return text.slice(1, -1);
}

/** A point as MLflow prints it (key, value, timestamp, step; NaN and ±Inf as strings), from a stored row. */
function pointJson(key: string, [step, timestamp, isNan, value]: PointTuple): { key: string; value: number | string; timestamp: number; step: number } {
  return { key, value: isNan ? 'NaN' : toMetricValue(value), timestamp, step };
}

/** Resolves when the socket can take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
