import fs from 'node:fs/promises';
import type { ColumnKind, ColumnTable, TableColumn } from './column-table';
import { csvTableChunks } from './csv-table-reader';
import { parquetTableChunks } from './parquet-table-reader';
import { OrreryError } from '../../../../shared/errors';
import { fileProblem } from './table-file-error';

export interface ReadTableOptions {
  /** Kinds the caller settles; other columns are inferred (Parquet: from the schema). */
  kinds?: ReadonlyMap<string, ColumnKind>;
  /** Read at most this many rows. */
  maxRows?: number;
}

export interface ChunkOptions extends ReadTableOptions {
  /** Rows per chunk handed out. */
  chunkRows: number;
}

/** Rows per chunk when streaming a file into a profile: 50 numeric columns of it are 40 MB. */
export const DEFAULT_CHUNK_ROWS = 100_000;

/** How much of the start is looked at to tell CSV from Parquet from anything else. */
const SNIFF_BYTES = 64 * 1024;

/** A CSV or Parquet file as one table. Errors name the file and the problem. */
export async function readTableFile(file: string, options: ReadTableOptions = {}): Promise<ColumnTable> {
  const chunks: ColumnTable[] = [];
  for await (const chunk of readTableChunks(file, { ...options, chunkRows: DEFAULT_CHUNK_ROWS })) chunks.push(chunk);
  return concatTables(chunks);
}

/** A CSV or Parquet file as a stream of tables of at most `chunkRows` rows, every chunk with the same columns and kinds. */
export async function* readTableChunks(file: string, options: ChunkOptions): AsyncGenerator<ColumnTable> {
  if (!Number.isInteger(options.chunkRows) || options.chunkRows < 1) throw new RangeError(`chunkRows must be a positive integer, got ${options.chunkRows}`);
  const before = await fs.stat(file).catch(() => null);
  const format = await detectFormat(file);
  if (format.kind === 'parquet') yield* parquetTableChunks(file, options);
  else yield* csvTableChunks(file, format.firstLine, options);
  // The file is read more than once (its shape, then its rows): one that changed meanwhile gave rows of two files.
  const after = await fs.stat(file).catch(() => null);
  if (!before || !after || before.size !== after.size || before.mtimeMs !== after.mtimeMs || before.ino !== after.ino) {
    throw fileProblem(file, 'the file changed while it was read; read it again once it is complete');
  }
}

type Format = { kind: 'parquet' } | { kind: 'csv'; firstLine: string };

/** Parquet by its magic bytes, CSV by being UTF-8 text; anything else is refused with its reason. */
async function detectFormat(file: string): Promise<Format> {
  let handle: fs.FileHandle;
  try {
    // A FIFO or a device would block the open (or never end): only regular files are read.
    const stat = await fs.stat(file);
    if (stat.isDirectory()) throw Object.assign(new Error('folder'), { code: 'EISDIR' });
    if (!stat.isFile()) throw fileProblem(file, 'it is not a regular file (a pipe, socket or device)');
    handle = await fs.open(file, 'r');
  } catch (error) {
    if (error instanceof OrreryError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder, not a file' : code === 'ELOOP' ? 'it is a symbolic link that loops' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw fileProblem(file, problem);
  }
  try {
    const size = (await handle.stat()).size;
    if (size === 0) throw fileProblem(file, 'the file is empty');
    const head = Buffer.alloc(Math.min(size, SNIFF_BYTES));
    await handle.read(head, 0, head.length, 0);
    if (head.length >= 4 && head.toString('latin1', 0, 4) === 'PAR1') {
      const tail = Buffer.alloc(4);
      if (size >= 12) await handle.read(tail, 0, 4, size - 4);
      if (tail.toString('latin1') !== 'PAR1') throw fileProblem(file, 'it starts as a Parquet file but is cut short (no closing PAR1 marker)');
      return { kind: 'parquet' };
    }
    return { kind: 'csv', firstLine: textStart(file, head) };
  } finally {
    await handle.close();
  }
}

/** The first line of a file that must be CSV text; refuses binary content (images, archives, blobs). */
function textStart(file: string, head: Buffer): string {
  const signature = knownBinary(head);
  if (signature) throw fileProblem(file, `it is ${signature}, not a CSV or Parquet file`);
  if (head.includes(0)) throw fileProblem(file, 'it holds binary data, not CSV text or Parquet');
  let text: string;
  try {
    // stream: true lets the sample end inside a multi-byte character without that counting as bad UTF-8.
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    throw fileProblem(file, 'it is not UTF-8 text, so neither CSV nor Parquet');
  }
  const firstLine = text.replace(/^\uFEFF/, '').split('\n').find((line) => line.trim() !== '');
  if (firstLine === undefined) throw fileProblem(file, 'the file is empty (blank lines only)');
  return firstLine;
}

const SIGNATURES: Array<[string, number[]]> = [
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['a ZIP archive (or xlsx)', [0x50, 0x4b, 0x03, 0x04]],
  ['a gzip archive', [0x1f, 0x8b]],
  ['a PDF document', [0x25, 0x50, 0x44, 0x46]],
  ['UTF-16 text (save it as UTF-8 CSV)', [0xff, 0xfe]],
  ['UTF-16 text (save it as UTF-8 CSV)', [0xfe, 0xff]],
];

function knownBinary(head: Buffer): string | undefined {
  return SIGNATURES.find(([, bytes]) => bytes.every((b, i) => head[i] === b))?.[0];
}

/** Chunks with the same columns as one table. */
export function concatTables(chunks: readonly ColumnTable[]): ColumnTable {
  if (chunks.length === 1) return chunks[0]!;
  const first = chunks[0];
  if (!first) return { rows: 0, columns: [] };
  const rows = chunks.reduce((sum, c) => sum + c.rows, 0);
  const columns = first.columns.map((column, i): TableColumn => {
    const parts = chunks.map((c) => c.columns[i]!);
    const typeMismatches = parts.reduce((sum, p) => sum + p.typeMismatches, 0);
    if (column.kind === 'categorical') return { ...column, strings: parts.flatMap((p) => p.strings!), typeMismatches };
    const numbers = new Float64Array(rows);
    let offset = 0;
    for (const part of parts) {
      numbers.set(part.numbers!, offset);
      offset += part.numbers!.length;
    }
    return { ...column, numbers, typeMismatches };
  });
  return { rows, columns };
}
