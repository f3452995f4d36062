import { StringDecoder } from 'node:string_decoder';

/** The longest line kept whole; a longer run of text without a newline is cut into pieces this long. */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Splits a byte stream into whole lines, carrying a partial line (and a UTF-8 character cut in two)
 * from one chunk to the next. '\n' ends a line and a '\r' before it is dropped. A lone '\r' is a
 * progress bar (tqdm) redrawing its line: only the text after the last one is kept, which is what a
 * terminal would show.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineChars = MAX_LINE_CHARS,
  ) {}

  push(chunk: Buffer | string): void {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let newline = this.pending.indexOf('\n');
    while (newline !== -1) {
      this.emit(this.pending.slice(0, newline));
      this.pending = this.pending.slice(newline + 1);
      newline = this.pending.indexOf('\n');
    }
    if (this.pending.length > this.maxLineChars) {
      this.pending = afterLastCarriageReturn(this.pending, true);
      while (this.pending.length > this.maxLineChars) {
        this.onLine(this.pending.slice(0, this.maxLineChars));
        this.pending = this.pending.slice(this.maxLineChars);
      }
    }
  }

  /** The stream ended: a last line without a newline is still a line. */
  end(): void {
    this.pending += this.decoder.end();
    if (this.pending.length > 0) this.emit(this.pending);
    this.pending = '';
  }

  private emit(raw: string): void {
    const line = afterLastCarriageReturn(raw.endsWith('\r') ? raw.slice(0, -1) : raw, false);
    this.onLine(line);
  }
}

/** The text a terminal shows after '\r' redraws: what follows the last '\r' (kept if it ends the text and `keepTrailing`). */
function afterLastCarriageReturn(text: string, keepTrailing: boolean): string {
  const end = keepTrailing && text.endsWith('\r') ? text.length - 1 : text.length;
  const cr = text.lastIndexOf('\r', end - 1);
  return cr === -1 ? text : text.slice(cr + 1);
}

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
