import { invalid } from '../../../shared/errors';
import { quote } from '../../../shared/tracking-limits';
import { parseMetricValue, toMetricValue } from '../../services/tracking/metric-value';
import type { PointCursor } from '../../services/tracking/metric-point-reader';

/**
 * get-history's page_token: opaque to clients; inside, the last point of the page (its key in
 * metric_points), so the next page starts right after it whatever its depth. A plain number is
 * the offset older servers handed out, still honoured.
 */
export function encodeHistoryPageToken(cursor: PointCursor): string {
  const value = cursor.isNan ? 'NaN' : toMetricValue(cursor.value);
  return Buffer.from(JSON.stringify({ after: [cursor.step, cursor.timestamp, value] })).toString('base64url');
}

/** The cursor (or old offset) a token carries; null without a token. A token this server did not write is refused, naming `field`. */
export function decodeHistoryPageToken(token: string | undefined, field = 'page_token'): PointCursor | number | null {
  if (token === undefined || token === '') return null;
  if (/^\d+$/.test(token)) {
    const offset = Number(token);
    if (Number.isSafeInteger(offset)) return offset;
    throw refused(token, field, 'the offset is beyond the integer range');
  }
  let after: unknown;
  try {
    after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown }).after;
  } catch {
    throw refused(token, field, 'not a token this server wrote');
  }
  if (!Array.isArray(after) || after.length !== 3) throw refused(token, field, 'not a token this server wrote');
  const [step, timestamp, raw] = after as unknown[];
  const value = parseMetricValue(raw);
  if (!Number.isSafeInteger(step) || !Number.isSafeInteger(timestamp) || value === null || (typeof raw === 'string' && !/^-?Infinity$|^NaN$/.test(raw))) {
    throw refused(token, field, 'not a token this server wrote');
  }
  const isNan = Number.isNaN(value);
  return { step: step as number, timestamp: timestamp as number, isNan: isNan ? 1 : 0, value: isNan ? 0 : value };
}

function refused(token: string, field: string, why: string): Error {
  return invalid(`Invalid value ${quote(token)} for parameter '${field}' supplied: ${why}.`);
}
