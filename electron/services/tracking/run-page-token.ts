import { OrreryError } from '../../../shared/errors';
import type { SortValue } from './run-keyset';

/**
 * runs/search page tokens: opaque to clients (base64url JSON); inside, where the next page starts:
 * the query's order (a short signature), which part of the order (numbers, NaN, missing…) and the
 * last row's sort values. Numbers are written as text so ±Infinity survive JSON.
 */
export interface RunCursor {
  order: string;
  segment: number;
  values: SortValue[];
}

interface TokenBody {
  o: string;
  s: number;
  k: Array<string | null>;
}

export function encodeRunPageToken(cursor: RunCursor): string {
  const body: TokenBody = { o: cursor.order, s: cursor.segment, k: cursor.values.map(encodeValue) };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/**
 * The cursor a token carries, or null for none. `order` is the signature of the query it is used
 * with: a token from another order is refused. A refusal names `field` as the caller wrote it.
 */
export function decodeRunPageToken(token: string | null | undefined, field = 'pageToken', order?: string): RunCursor | null {
  if (!token) return null;
  const cursor = parse(token);
  if (cursor && (order === undefined || cursor.order === order)) return cursor;
  throw invalidRunPageToken(token, field);
}

/** The refusal of a token that is not one of ours, or not one for this query. */
export function invalidRunPageToken(token: string, field: string): OrreryError {
  return new OrreryError('INVALID_INPUT', `Invalid ${field} '${token.length > 80 ? `${token.slice(0, 80)}…` : token}'.`);
}

function parse(token: string): RunCursor | null {
  try {
    const body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody> | null;
    if (!body || typeof body.o !== 'string' || !Number.isSafeInteger(body.s) || (body.s as number) < 0 || !Array.isArray(body.k)) return null;
    const values = body.k.map(decodeValue);
    if (values.some((v) => v === undefined)) return null;
    return { order: body.o, segment: body.s as number, values: values as SortValue[] };
  } catch {
    return null;
  }
}

function encodeValue(value: SortValue): string | null {
  if (value === null) return null;
  return typeof value === 'number' ? `n${String(value)}` : `s${value}`;
}

function decodeValue(raw: unknown): SortValue | undefined {
  if (raw === null) return null;
  if (typeof raw !== 'string') return undefined;
  if (raw.startsWith('s')) return raw.slice(1);
  if (!raw.startsWith('n')) return undefined;
  const n = Number(raw.slice(1));
  return raw.length > 1 && !Number.isNaN(n) ? n : undefined;
}
