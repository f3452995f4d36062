/**
 * Series ids by (run, key). An id learned inside an open transaction may be rolled back, and
 * SQLite hands a rolled-back rowid to the next new series, wherever it belongs: such ids stay
 * apart until the owner says the transaction committed, and are dropped when it did not.
 */
export class SeriesIdCache {
  private readonly committed = new Map<string, number>();
  private readonly pending = new Map<string, number>();

  get(runId: string, key: string): number | undefined {
    const id = cacheKey(runId, key);
    return this.committed.get(id) ?? this.pending.get(id);
  }

  /** `inTransaction`: the id was read or created by a write not yet committed. */
  set(runId: string, key: string, seriesId: number, inTransaction: boolean): void {
    const id = cacheKey(runId, key);
    if (!inTransaction) {
      this.committed.set(id, seriesId);
      return;
    }
    this.pending.set(id, seriesId);
  }

  /** The transaction that learned the pending ids committed: they are real now. */
  commit(): void {
    for (const [id, seriesId] of this.pending) this.committed.set(id, seriesId);
    this.pending.clear();
  }

  /** The transaction rolled back (or its outcome is unknown): forget what it learned. */
  discard(): void {
    this.pending.clear();
  }
}

function cacheKey(runId: string, key: string): string {
  return `${runId}\u0000${key}`;
}
