import { OrreryError } from '../../../shared/errors';

/** Paging tokens are opaque to clients; inside, just the offset. */
export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

/** The offset a token carries; a refusal names `field` as the caller wrote it (pageToken, page_token). */
export function decodePageToken(token: string | null | undefined, field = 'pageToken'): number {
  if (!token) return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset: unknown };
    // SQLite's OFFSET takes a 64-bit integer; a larger number arrives as a float it refuses.
    if (typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through
  }
  throw new OrreryError('INVALID_INPUT', `Invalid ${field} '${token.length > 80 ? `${token.slice(0, 80)}…` : token}'.`);
}
