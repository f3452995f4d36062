import { DEFAULT_CHUNK_ROWS, readTableChunks, type ReadTableOptions } from '../data/table-file';
import { ProfileBuilder, type ReferenceProfile } from './reference-profile';

/**
 * The reference profile of a CSV or Parquet file, read a chunk of rows at a time, so a 10,000,000-row
 * reference never sits in memory whole (each numeric column holds at most its sketch buffer).
 * Node-side (it reads the file); the profile it returns is plain data.
 */
export async function profileTableFile(file: string, options: ReadTableOptions & { chunkRows?: number } = {}): Promise<ReferenceProfile> {
  const builder = new ProfileBuilder(options.kinds);
  for await (const chunk of readTableChunks(file, { ...options, chunkRows: options.chunkRows ?? DEFAULT_CHUNK_ROWS })) builder.add(chunk);
  return builder.finish();
}
