/**
 * Splits CSV text into records as it streams in (RFC 4180: quoted fields may hold the delimiter,
 * newlines and doubled quotes). Text arrives in chunks; only the unfinished last record is carried
 * over, so a large file is read in linear time. Pure: no Node imports.
 */
export interface CsvRecord {
  fields: string[];
  /** The 1-based line the record starts on (a quoted newline makes a record span lines). */
  line: number;
}

/** The longest record read; longer ones are refused rather than held whole. */
export const MAX_RECORD_CHARS = 16 * 1024 * 1024;

export class CsvRecordSplitter {
  private pending = '';
  private line = 1;
  private started = false;

  constructor(private readonly delimiter: string) {}

  /** The complete records in `text` (appended to what was left over). */
  push(text: string, out: CsvRecord[]): void {
    let input = this.pending + text;
    if (!this.started) {
      this.started = true;
      if (input.charCodeAt(0) === 0xfeff) input = input.slice(1);
    }
    this.pending = input.slice(this.split(input, out, false));
    // A record that never ends (a 200 MB single line) would be carried, copied and re-scanned forever.
    if (this.pending.length > MAX_RECORD_CHARS) {
      throw new CsvSyntaxError(this.line, `a record is longer than ${MAX_RECORD_CHARS / 1024 / 1024} MB of text (is the file really CSV with one row per line?)`);
    }
  }

  /** The last record, once the text has ended. */
  end(out: CsvRecord[]): void {
    const input = this.pending;
    this.pending = '';
    const used = this.split(input, out, true);
    if (used < input.length) throw new CsvSyntaxError(this.line, 'a quoted field is never closed');
  }

  /** Parses whole records from `input`; returns how much of it was used. */
  private split(input: string, out: CsvRecord[], atEnd: boolean): number {
    let pos = 0;
    const length = input.length;
    // The next quote's position, looked up again only once passed: a lone quote far ahead must not
    // be searched for from every line (that would be quadratic).
    let quote = -2;
    while (pos < length) {
      const newline = input.indexOf('\n', pos);
      if (newline < 0 && !atEnd) return pos;
      const lineEnd = newline < 0 ? length : newline;
      if (quote !== -1 && quote < pos) quote = input.indexOf('"', pos);
      if (quote < 0 || quote > lineEnd) {
        // The common case: no quotes on this line, so a plain split is the whole record.
        let end = lineEnd;
        if (end > pos && input.charCodeAt(end - 1) === 13) end--;
        if (end > pos) out.push({ fields: input.slice(pos, end).split(this.delimiter), line: this.line });
        this.line++;
        pos = lineEnd + 1;
        continue;
      }
      const next = this.quotedRecord(input, pos, atEnd, out);
      if (next < 0) return pos;
      pos = next;
    }
    return length;
  }

  /** A record with quotes, char by char; -1 when it does not end within `input` (more text needed). */
  private quotedRecord(input: string, start: number, atEnd: boolean, out: CsvRecord[]): number {
    const fields: string[] = [];
    const delimiter = this.delimiter.charCodeAt(0);
    let field = '';
    let pos = start;
    let lines = 0;
    for (;;) {
      if (input.charCodeAt(pos) === 34) {
        // A quoted field: runs to the quote not followed by another quote.
        pos++;
        for (;;) {
          const close = input.indexOf('"', pos);
          if (close < 0) return -1;
          field += input.slice(pos, close);
          lines += countNewlines(input, pos, close);
          if (input.charCodeAt(close + 1) === 34) {
            field += '"';
            pos = close + 2;
            continue;
          }
          pos = close + 1;
          break;
        }
        if (pos >= input.length && !atEnd) return -1;
      }
      // The unquoted rest of the field, up to the delimiter or the record's end.
      let end = pos;
      while (end < input.length) {
        const c = input.charCodeAt(end);
        if (c === delimiter || c === 10 || c === 34) break;
        end++;
      }
      if (end < input.length && input.charCodeAt(end) === 34) {
        throw new CsvSyntaxError(this.line + lines, 'a quote inside an unquoted field (quote the whole field and double the quote)');
      }
      if (end >= input.length && !atEnd) return -1;
      field += input.slice(pos, end);
      if (end < input.length && input.charCodeAt(end) === delimiter) {
        fields.push(field);
        field = '';
        pos = end + 1;
        continue;
      }
      if (field.endsWith('\r')) field = field.slice(0, -1);
      fields.push(field);
      out.push({ fields, line: this.line });
      this.line += lines + 1;
      return end + 1;
    }
  }
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
    this.name = 'CsvSyntaxError';
  }
}

/** The delimiter the header line uses: `,`, `;` or tab, whichever occurs most outside quotes. */
export function sniffDelimiter(firstLine: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const char of firstLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  let best = ',';
  for (const [delimiter, n] of counts) if (n > counts.get(best)!) best = delimiter;
  return best;
}
