/**
 * The worker's requests on typed tables: a check of a table already in memory, and a reference
 * profile streamed in chunk by chunk (so a 10-million-row reference never has to exist whole).
 * Plain code, like ComputeHandler, so it runs inline too.
 */
import { invalid } from '../../../../shared/errors';
import type { ColumnKindName } from '../../../../shared/contract/monitoring';
import { checkDrift, type DriftCheckResult } from '../drift-check';
import { ProfileBuilder, type ReferenceProfile } from '../profile/reference-profile';
import type { TableCheckSettings } from './compute-protocol';
import { tableFromTyped, type TypedTable } from './typed-table';

/** Streams open at once: a caller that never finishes one cannot pile up builders. */
const OPEN_STREAMS = 4;

export class TableRequests {
  private readonly streams = new Map<string, ProfileBuilder>();

  check(profile: ReferenceProfile, table: TypedTable, settings: TableCheckSettings): DriftCheckResult {
    return checkDrift(profile, tableFromTyped(table), settings);
  }

  /** Adds a chunk to stream `stream` (opening it); with `finish` closes it and answers its profile. */
  addChunk(stream: string, table: TypedTable | null, kinds: Record<string, ColumnKindName>, finish: boolean): ReferenceProfile | null {
    let builder = this.streams.get(stream);
    if (!builder) {
      if (table === null) throw invalid(`stream: no profile stream '${stream}' is open, and this request brings no chunk to start one`);
      if (this.streams.size >= OPEN_STREAMS) throw invalid(`stream: ${OPEN_STREAMS} profile streams are open already; finish one before starting '${stream}'`);
      builder = new ProfileBuilder(new Map(Object.entries(kinds)));
      this.streams.set(stream, builder);
    }
    try {
      if (table !== null) builder.add(tableFromTyped(table));
    } catch (error) {
      this.streams.delete(stream);
      throw error;
    }
    if (!finish) return null;
    this.streams.delete(stream);
    return builder.finish();
  }
}
