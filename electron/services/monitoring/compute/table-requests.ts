/**
 * The worker's requests on typed tables: a check of a table already in memory, and a reference
 * profile streamed in chunk by chunk (so a 10-million-row reference never has to exist whole).
 * Plain code, like ComputeHandler, so it runs inline too.
 */
import { invalid } from '../../../../shared/errors';
import type { ColumnKindName } from '../../../../shared/contract/monitoring';
import type { DriftCheckResult } from '../drift-check';
import type { ReferenceProfile } from '../profile/reference-profile';
import { splitCheck, type ColumnPeer } from './column-split';
import type { TableCheckSettings } from './compute-protocol';
import { ProfileStream } from './split-profile-stream';
import { tableFromTyped, type TypedTable } from './typed-table';

/** Streams open at once: a caller that never finishes one cannot pile up builders. */
const OPEN_STREAMS = 4;

export class TableRequests {
  private readonly streams = new Map<string, ProfileStream>();

  /** `peer`: a second thread that takes half the columns of a large check (none inline). */
  constructor(private readonly peer: ColumnPeer | null = null) {}

  check(profile: ReferenceProfile, table: TypedTable, settings: TableCheckSettings): Promise<DriftCheckResult> {
    return splitCheck(profile, tableFromTyped(table), settings, this.peer);
  }

  /**
   * Adds a chunk to stream `stream` (opening it); with `finish` closes it and answers its profile.
   * A large stream's columns are profiled half here, half on the peer thread.
   */
  async addChunk(stream: string, table: TypedTable | null, kinds: Record<string, ColumnKindName>, finish: boolean): Promise<ReferenceProfile | null> {
    let open = this.streams.get(stream);
    if (!open) {
      if (table === null) throw invalid(`stream: no profile stream '${stream}' is open, and this request brings no chunk to start one`);
      if (this.streams.size >= OPEN_STREAMS) throw invalid(`stream: ${OPEN_STREAMS} profile streams are open already; finish one before starting '${stream}'`);
      open = new ProfileStream(stream, kinds, this.peer, table);
      this.streams.set(stream, open);
    }
    try {
      if (table !== null) await open.add(table);
    } catch (error) {
      this.streams.delete(stream);
      open.abandon();
      throw error;
    }
    if (!finish) return null;
    this.streams.delete(stream);
    return open.finish();
  }
}
