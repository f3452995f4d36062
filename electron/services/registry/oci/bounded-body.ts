import { createHash } from 'node:crypto';

/**
 * Reads an HTTP answer's body with a bound. A registry decides how much it sends and whether its
 * Content-Length is true, so the body is read chunk by chunk, hashed as it arrives, and the
 * connection is dropped the moment it passes the bound: memory stays at most `limit`, and the
 * registry stops sending.
 */
export interface BoundedBody {
  /** What was read: the whole body when `complete`, else its first `limit` bytes at most. */
  bytes: Buffer;
  /** False when the body (or its Content-Length) went past the limit and reading stopped. */
  complete: boolean;
  /** The sha256 of `bytes` (`sha256:…`). */
  digest: string;
}

/**
 * The length of the body as it will be read, from Content-Length; null when there is none (chunked),
 * it is unreadable, or the body is compressed (fetch decodes it, so the header counts other bytes).
 */
export function declaredLength(res: Response): number | null {
  const encoding = res.headers.get('content-encoding');
  if (encoding !== null && encoding.trim().toLowerCase() !== 'identity' && encoding.trim() !== '') return null;
  const header = res.headers.get('content-length');
  if (header === null || !/^\s*\d+\s*$/.test(header)) return null;
  const n = Number(header);
  return Number.isSafeInteger(n) ? n : null;
}

/** Drop an answer's body unread (closes the connection rather than draining it). */
export async function discardBody(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

/**
 * Read at most `limit` bytes of `res`'s body. A declared Content-Length over the limit stops it
 * before any byte is read. Stream errors (the registry hanging up) are thrown as they come.
 */
export async function readBounded(res: Response, limit: number): Promise<BoundedBody> {
  const hash = createHash('sha256');
  const declared = declaredLength(res);
  if (declared !== null && declared > limit) {
    await discardBody(res);
    return { bytes: Buffer.alloc(0), complete: false, digest: `sha256:${hash.digest('hex')}` };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let complete = true;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (size + chunk.length > limit) {
        // Keep the allowed prefix (an error page's title is at its start), then hang up.
        const room = limit - size;
        if (room > 0) {
          chunks.push(chunk.subarray(0, room));
          hash.update(chunk.subarray(0, room));
          size += room;
        }
        complete = false;
        await reader.cancel().catch(() => undefined);
        break;
      }
      chunks.push(chunk);
      hash.update(chunk);
      size += chunk.length;
    }
  }
  return { bytes: Buffer.concat(chunks, size), complete, digest: `sha256:${hash.digest('hex')}` };
}
