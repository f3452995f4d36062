import { asyncBufferFromFile, parquetMetadataAsync, parquetScan, parquetSchema, type FileMetaData, type SchemaElement } from 'hyparquet';
import { columnBuilder, type ColumnKind, type ColumnTable } from './column-table';
import type { ChunkOptions } from './table-file';
import { fileProblem } from './table-file-error';

/**
 * Reads a Parquet file with hyparquet (pure JS; Snappy, pandas' default codec, is built in), a chunk
 * of rows at a time, each column decoded only for that range. A column's kind comes from its schema:
 * numbers (ints, floats, decimals) are numeric; strings, booleans, dates and times are categorical.
 */
export async function* parquetTableChunks(file: string, options: ChunkOptions): AsyncGenerator<ColumnTable> {
  const buffer = await asyncBufferFromFile(file);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (error) {
    throw fileProblem(file, `its Parquet metadata is damaged (${(error as Error).message})`);
  }
  // pandas stores a non-default index as __index_level_N__ columns: the index is not data.
  const fields = parquetSchema(metadata).children.filter((f) => !/^__index_level_\d+__$/.test(f.element.name));
  const names = fields.map((f) => f.element.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw fileProblem(file, `the schema names column "${duplicate}" twice (column names must be unique)`);
  const nested = fields.find((f) => f.children.length > 0);
  if (nested) throw fileProblem(file, `column "${nested.element.name}" is nested (lists and structs are not supported)`);
  const kinds = fields.map((f) => options.kinds?.get(f.element.name) ?? kindOf(f.element));
  const totalRows = Math.min(Number(metadata.num_rows), options.maxRows ?? Number.POSITIVE_INFINITY);
  if (totalRows === 0) throw fileProblem(file, 'it has columns but no rows');

  const scan = await parquetScan({ file: buffer, metadata });
  let left = totalRows;
  for (const range of scan.ranges) {
    for (let start = range.rowStart; start < range.rowEnd && left > 0; ) {
      const end = Math.min(range.rowEnd, start + options.chunkRows, start + left);
      const columns = [];
      for (let i = 0; i < fields.length; i++) {
        const builder = columnBuilder(kinds[i]!);
        let data: ArrayLike<unknown>;
        try {
          data = await scan.readColumn({ column: names[i]!, rowStart: start, rowEnd: end });
        } catch (error) {
          throw fileProblem(file, `column "${names[i]}" cannot be decoded (${(error as Error).message})`);
        }
        for (let r = 0; r < data.length; r++) builder.pushValue(data[r], false);
        columns.push(builder.finish(names[i]!));
      }
      yield { rows: end - start, columns };
      left -= end - start;
      start = end;
    }
  }
}

const NUMBER_TYPES = new Set(['INT32', 'INT64', 'FLOAT', 'DOUBLE']);
const TIME_TYPES = new Set(['DATE', 'TIME_MILLIS', 'TIME_MICROS', 'TIMESTAMP_MILLIS', 'TIMESTAMP_MICROS']);

function kindOf(element: SchemaElement): ColumnKind {
  if (element.converted_type === 'DECIMAL' || element.logical_type?.type === 'DECIMAL') return 'numeric';
  if (!element.type || !NUMBER_TYPES.has(element.type)) return 'categorical';
  if (element.converted_type && TIME_TYPES.has(element.converted_type)) return 'categorical';
  const logical = element.logical_type?.type;
  if (logical === 'DATE' || logical === 'TIME' || logical === 'TIMESTAMP') return 'categorical';
  return 'numeric';
}
