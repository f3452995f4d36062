import fs from 'node:fs';
import { columnBuilder, isMissingValue, looksNumeric, type ColumnTable } from './column-table';
import { CsvRecordSplitter, CsvSyntaxError, sniffDelimiter, type CsvRecord } from './csv-records';
import type { ChunkOptions } from './table-file';
import { fileProblem } from './table-file-error';

/**
 * Reads a CSV file in two streaming passes: the first checks its shape and settles each column's
 * kind (a column is numeric only if every cell of the whole file is), the second builds the table in
 * chunks of rows. Neither pass holds more than one chunk, so a reference of any size can be profiled.
 */
export async function* csvTableChunks(file: string, firstLine: string, options: ChunkOptions): AsyncGenerator<ColumnTable> {
  const delimiter = sniffDelimiter(firstLine);
  const shape = await scanShape(file, delimiter, options.maxRows);
  const kinds = shape.names.map((name, i) => options.kinds?.get(name) ?? (shape.numeric[i] ? 'numeric' : 'categorical'));
  let builders = kinds.map(columnBuilder);
  let rows = 0;
  let total = 0;
  let header = true;
  const finish = (): ColumnTable => ({ rows, columns: builders.map((b, i) => b.finish(shape.names[i]!)) });
  for await (const records of recordBatches(file, delimiter)) {
    for (const record of records) {
      if (header) {
        header = false;
        continue;
      }
      for (let i = 0; i < builders.length; i++) builders[i]!.pushValue(record.fields[i], true);
      rows++;
      total++;
      if (rows === options.chunkRows) {
        yield finish();
        builders = kinds.map(columnBuilder);
        rows = 0;
      }
      if (total === shape.rows) break;
    }
    if (total === shape.rows) break;
  }
  if (rows > 0) yield finish();
}

interface CsvShape {
  names: string[];
  numeric: boolean[];
  rows: number;
}

/** The header, the row count (up to maxRows) and which columns hold only numbers; throws on bad shape. */
async function scanShape(file: string, delimiter: string, maxRows: number | undefined): Promise<CsvShape> {
  let names: string[] | null = null;
  let numeric: boolean[] = [];
  let rows = 0;
  for await (const records of recordBatches(file, delimiter)) {
    for (const record of records) {
      if (names === null) {
        names = headerNames(file, record);
        numeric = names.map(() => true);
        continue;
      }
      if (record.fields.length !== names.length) {
        throw fileProblem(file, `line ${record.line} has ${record.fields.length} fields, but the header has ${names.length}`);
      }
      for (let i = 0; i < names.length; i++) {
        if (numeric[i] && !isMissingValue(record.fields[i], true) && !looksNumeric(record.fields[i], true)) numeric[i] = false;
      }
      rows++;
      if (rows === maxRows) return { names, numeric, rows };
    }
  }
  if (names === null) throw fileProblem(file, 'the file is empty');
  if (rows === 0) throw fileProblem(file, 'it has a header but no rows');
  return { names, numeric, rows };
}

/** Column names from the header line; blank names become pandas' "Unnamed: i" (an index column). */
function headerNames(file: string, record: CsvRecord): string[] {
  const names = record.fields.map((field, i) => (field.trim() === '' ? `Unnamed: ${i}` : field));
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw fileProblem(file, `the header names column "${name}" twice (column names must be unique)`);
    seen.add(name);
  }
  return names;
}

/** The file's records, a batch per read chunk (1 MiB of text). */
async function* recordBatches(file: string, delimiter: string): AsyncGenerator<CsvRecord[]> {
  const splitter = new CsvRecordSplitter(delimiter);
  const stream = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    for await (const text of stream) {
      const out: CsvRecord[] = [];
      splitter.push(text as string, out);
      yield out;
    }
    const out: CsvRecord[] = [];
    splitter.end(out);
    yield out;
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw fileProblem(file, `${error.message}`);
    throw error;
  } finally {
    stream.destroy();
  }
}
