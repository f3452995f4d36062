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
