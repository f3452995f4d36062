/** A container's log stream as the engine frames it (no TTY): stream headers and RFC 3339 nanosecond timestamps. */

export interface LogFrame {
  stream: 'stdout' | 'stderr';
  body: Buffer;
}

/**
 * A finished (not followed) log read of a container without a TTY: the engine's frames, an 8-byte
 * header (stream, 0, 0, 0, big-endian length) before each piece.
 */
export function splitFrames(raw: Buffer): LogFrame[] {
  const frames: LogFrame[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const kind = raw.readUInt8(offset);
    const length = raw.readUInt32BE(offset + 4);
    if (kind > 2) break; // not framed after all
    frames.push({ stream: kind === 2 ? 'stderr' : 'stdout', body: raw.subarray(offset + 8, Math.min(raw.length, offset + 8 + length)) });
    offset += 8 + length;
  }
  return frames;
}

/** The same, joined back into stdout and stderr. */
export function demuxFrames(raw: Buffer): { stdout: string; stderr: string } {
  const frames = splitFrames(raw);
  const joined = (stream: LogFrame['stream']) =>
    Buffer.concat(frames.filter((frame) => frame.stream === stream).map((frame) => frame.body)).toString('utf8');
  return { stdout: joined('stdout'), stderr: joined('stderr') };
}

const ENGINE_TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** The engine's RFC 3339 timestamp (nanoseconds) as nanoseconds since the epoch, or null. */
export function parseEngineTimestamp(text: string): bigint | null {
  const match = ENGINE_TIMESTAMP.exec(text);
  if (match === null) return null;
  const ms = Date.parse(`${match[1] ?? ''}${match[3] ?? ''}`);
  if (Number.isNaN(ms)) return null;
  return BigInt(ms) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** Nanoseconds since the epoch as the engine's `since`: `seconds.nanoseconds`. */
export function engineSince(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  const rest = nanos % 1_000_000_000n;
  return `${seconds}.${String(rest).padStart(9, '0')}`;
}

/**
 * A frame read with `timestamps: true`: the engine's time of the message, and the message.
 * Null time when the frame carries none.
 */
export function stripTimestamp(frame: Buffer): { at: bigint | null; body: Buffer } {
  const space = frame.indexOf(0x20);
  if (space <= 0 || space > 40) return { at: null, body: frame };
  const at = parseEngineTimestamp(frame.subarray(0, space).toString('latin1'));
  return at === null ? { at: null, body: frame } : { at, body: frame.subarray(space + 1) };
}
