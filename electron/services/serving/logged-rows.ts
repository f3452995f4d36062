import { arrayItems, objectEntries, type ArrayPrefix } from './json-prefix';

/** What the request log keeps of a request's inputs. */
export interface LoggedInputs {
  /** The first rows as JSON records (column → value); null when the body could not be read as MLflow input. */
  rows: Array<Record<string, unknown>> | null;
  /**
   * Rows the request had. For a body cut at the log's cap this is an estimate: the rows seen,
   * scaled by the bytes they took against the whole body's bytes (never less than seen).
   */
  rowCount: number;
  /** Whether rows were left out (body cut, or more rows than the log keeps). */
  truncated: boolean;
}

const INPUT_KEYS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

/**
 * The input rows of an MLflow scoring request (dataframe_split, dataframe_records, instances,
 * inputs, or text/csv), from the body as logged: `body` may be only the first bytes of
 * `totalBytes`. Rows without column names (lists of values) get "0", "1", … as pandas does.
 */
export function loggedInputs(contentType: string, body: Buffer, totalBytes: number, maxRows: number): LoggedInputs {
  const cut = body.length < totalBytes;
  const text = body.toString('utf8');
  try {
    if (/^\s*text\/csv/i.test(contentType)) return csvRows(text, cut, totalBytes, body.length, maxRows);
    return cut ? cutJsonRows(text, totalBytes, body.length, maxRows) : jsonRows(JSON.parse(text), maxRows);
  } catch {
    return { rows: null, rowCount: 0, truncated: cut };
  }
}

/** The predictions of `{"predictions": …}`, the first maxRows when a list; null when unreadable. */
export function loggedPredictions(body: Buffer, totalBytes: number, maxRows: number): unknown {
  const text = body.toString('utf8');
  try {
    if (body.length >= totalBytes) {
      const parsed = JSON.parse(text) as unknown;
      const predictions = isObject(parsed) ? parsed.predictions : undefined;
      if (predictions === undefined) return null;
      return Array.isArray(predictions) ? predictions.slice(0, maxRows) : predictions;
    }
    const entry = objectEntries(text, 0).find((e) => e.key === 'predictions');
    return entry ? arrayItems(text, entry.start, maxRows).items : null;
  } catch {
    return null;
  }
}

function jsonRows(parsed: unknown, maxRows: number): LoggedInputs {
  if (!isObject(parsed)) return { rows: null, rowCount: 0, truncated: false };
  const key = INPUT_KEYS.find((k) => k in parsed);
  if (!key) return { rows: null, rowCount: 0, truncated: false };
  const value = parsed[key];
  if (key === 'dataframe_split') {
    if (!isObject(value) || !Array.isArray(value.data)) return { rows: null, rowCount: 0, truncated: false };
    const columns = Array.isArray(value.columns) ? value.columns.map(String) : null;
    const count = value.data.length;
    return { rows: value.data.slice(0, maxRows).map((row) => record(row, columns)), rowCount: count, truncated: count > maxRows };
  }
  if (Array.isArray(value)) {
    const count = value.length;
    return { rows: value.slice(0, maxRows).map((row) => record(row, null)), rowCount: count, truncated: count > maxRows };
  }
  if (key === 'inputs' && isObject(value)) {
    // Columnar form: {"inputs": {"a": [1, 2], "b": [3, 4]}} (or one value per column: one row).
    const all = columnsToRows(value);
    return { rows: all.slice(0, maxRows), rowCount: all.length, truncated: all.length > maxRows };
  }
  return { rows: [record(value, null)], rowCount: 1, truncated: false };
}

function cutJsonRows(text: string, totalBytes: number, keptBytes: number, maxRows: number): LoggedInputs {
  const entries = objectEntries(text, 0);
  const entry = entries.find((e) => (INPUT_KEYS as readonly string[]).includes(e.key));
  if (!entry) return { rows: null, rowCount: 0, truncated: true };
  if (entry.key === 'dataframe_split') {
    const inner = objectEntries(text, entry.start);
    const columnsEntry = inner.find((e) => e.key === 'columns' && e.end > 0);
    const columns = columnsEntry ? (JSON.parse(text.slice(columnsEntry.start, columnsEntry.end)) as unknown[]).map(String) : null;
    const data = inner.find((e) => e.key === 'data');
    if (!data) return { rows: null, rowCount: 0, truncated: true };
    const items = arrayItems(text, data.start, maxRows);
    return { rows: items.items.map((row) => record(row, columns)), rowCount: estimate(items, text.length, totalBytes, keptBytes), truncated: true };
  }
  const items = arrayItems(text, entry.start, maxRows);
  return { rows: items.items.map((row) => record(row, null)), rowCount: estimate(items, text.length, totalBytes, keptBytes), truncated: true };
}

/** Rows seen, scaled to the whole body by the characters they took. */
function estimate(items: ArrayPrefix, keptChars: number, totalBytes: number, keptBytes: number): number {
  if (items.complete || items.seen === 0) return items.seen;
  const totalChars = (keptChars * totalBytes) / keptBytes;
  const perRow = (items.to - items.from) / items.seen;
  return Math.max(items.seen, Math.round((totalChars - items.from) / perRow));
}

function csvRows(text: string, cut: boolean, totalBytes: number, keptBytes: number, maxRows: number): LoggedInputs {
  const lines = text.split(/\r?\n/);
  if (cut) lines.pop(); // the last line may be cut anywhere
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  const header = lines.shift();
  if (header === undefined) return { rows: null, rowCount: 0, truncated: cut };
  const columns = csvFields(header);
  const seen = lines.length;
  const rows = lines.slice(0, maxRows).map((line) => {
    const fields = csvFields(line).map(csvValue);
    return Object.fromEntries(columns.map((c, i) => [c, fields[i] ?? null]));
  });
  let rowCount = seen;
  if (cut && seen > 0) {
    const used = header.length + 1 + lines.reduce((n, l) => n + l.length + 1, 0);
    rowCount = Math.max(seen, Math.round(((text.length * totalBytes) / keptBytes - header.length - 1) / ((used - header.length - 1) / seen)));
  }
  return { rows, rowCount, truncated: cut || seen > maxRows };
}

function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

function csvValue(field: string): unknown {
  if (field === '') return null;
  const n = Number(field);
  return Number.isFinite(n) && /^\s*[-+]?(\d|\.\d)/.test(field) ? n : field;
}

function record(row: unknown, columns: string[] | null): Record<string, unknown> {
  if (Array.isArray(row)) {
    // A plain loop: this runs for every logged row, and fromEntries(map) allocates twice per cell.
    const out: Record<string, unknown> = {};
    for (let i = 0; i < row.length; i++) out[columns?.[i] ?? String(i)] = row[i];
    return out;
  }
  if (isObject(row)) return row;
  return { [columns?.[0] ?? '0']: row };
}

function columnsToRows(columns: Record<string, unknown>): Array<Record<string, unknown>> {
  const names = Object.keys(columns);
  const length = Math.max(0, ...names.map((n) => (Array.isArray(columns[n]) ? (columns[n] as unknown[]).length : 1)));
  return Array.from({ length }, (_, i) => Object.fromEntries(names.map((n) => [n, Array.isArray(columns[n]) ? (columns[n] as unknown[])[i] : columns[n]])));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
