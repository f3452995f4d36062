/**
 * A reference profile streamed in chunks, its columns shared with the peer thread: each column is
 * given to the less loaded side when it first appears and stays there; both sides see every chunk's
 * row count, so a column absent from a chunk counts those rows as missing on either side. At the
 * end the peer's columns come back encoded and join this side's in order of first appearance: the
 * profile the one-thread builder gives. Pure: no Node imports (the peer is injected).
 */
import type { ColumnKindName } from '../../../../shared/contract/monitoring';
import { decodeProfile } from '../profile/profile-codec';
import { ProfileBuilder, type ReferenceProfile } from '../profile/reference-profile';
import { movable, SPLIT_FROM_CELLS, type ColumnPeer } from './column-split';
import { tableFromTyped, type TypedColumn, type TypedTable } from './typed-table';

/** Rough cost per row of profiling a column: a category is counted through its spelled-out string. */
const COST = { numeric: 1, categorical: 0.7 };

export class ProfileStream {
  private readonly builder: ProfileBuilder;
  /** Column names in order of first appearance (the order the one-thread builder keeps). */
  private readonly order: string[] = [];
  /** The peer's columns; null when the stream is not split. */
  private readonly peerColumns: Set<string> | null;
  private load = { here: 0, peer: 0 };

  constructor(
    private readonly name: string,
    private readonly kinds: Record<string, ColumnKindName>,
    private readonly peer: ColumnPeer | null,
    first: TypedTable,
  ) {
    this.builder = new ProfileBuilder(new Map(Object.entries(kinds)));
    const worthIt = first.columns.length >= 2 && first.rows * first.columns.length >= SPLIT_FROM_CELLS;
    this.peerColumns = peer && worthIt ? new Set() : null;
  }

  async add(table: TypedTable): Promise<void> {
    // The whole chunk is checked here first, so a bad column is named as the caller sent it.
    const whole = tableFromTyped(table);
    for (const column of table.columns) this.place(column);
    if (!this.peerColumns || !this.peer) return this.builder.add(whole);
    const transfer: ArrayBuffer[] = [];
    const theirs: TypedTable = { rows: table.rows, columns: table.columns.filter((c) => this.peerColumns!.has(c.name)).map((c) => moved(c, transfer)) };
    const remote = this.peer.profileChunk(this.name, theirs, this.kinds, false, transfer);
    try {
      this.builder.add({ rows: whole.rows, columns: whole.columns.filter((c) => !this.peerColumns!.has(c.name)) });
    } finally {
      await remote;
    }
  }

  async finish(): Promise<ReferenceProfile> {
    const ours = this.builder.finish();
    if (!this.peerColumns || !this.peer) return ours;
    const answer = await this.peer.profileChunk(this.name, null, this.kinds, true, []);
    const theirs = decodeProfile(answer!.profile).columns;
    const position = new Map(this.order.map((name, i) => [name, i]));
    const columns = [...ours.columns, ...theirs].sort((a, b) => position.get(a.name)! - position.get(b.name)!);
    return { ...ours, columns };
  }

  /** Closes the peer's side of a stream that failed here (its answer no longer matters). */
  abandon(): void {
    if (this.peerColumns && this.peer) void this.peer.profileChunk(this.name, null, this.kinds, true, []).catch(() => {});
  }

  private place(column: TypedColumn): void {
    if (this.order.includes(column.name)) return;
    this.order.push(column.name);
    if (!this.peerColumns) return;
    const cost = COST[this.kinds[column.name] ?? column.kind];
    if (this.load.peer < this.load.here) {
      this.load.peer += cost;
      this.peerColumns.add(column.name);
    } else this.load.here += cost;
  }
}

function moved(column: TypedColumn, transfer: ArrayBuffer[]): TypedColumn {
  return column.kind === 'numeric' ? { ...column, numbers: movable(column.numbers, transfer) } : { ...column, codes: movable(column.codes, transfer) };
}
