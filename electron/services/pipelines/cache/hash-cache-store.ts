import path from 'node:path';
import type { Database, Statement } from 'better-sqlite3';
import { mapInTurns, nextTurn } from '../../store/event-loop-turns';

/** A file's content hash as of a stat signature; `racy` entries are read again before being trusted. */
export interface CachedHash {
  stat: string;
  hash: string;
  racy: boolean;
}

/** A row as stored: read as it comes (no copy per row; a folder can hold 100k files). */
export interface StoredHash {
  stat: string;
  hash: string;
  racy: 0 | 1;
}

type Row = StoredHash & { path: string };

/** Rows read per turn of the event loop when loading a folder's entries. */
const PAGE = 1024;

/** The `pipeline_hash_cache` table (migration 011): one row per absolute file path. */
export class HashCacheStore {
  private readonly getOne: Statement<[string], Row>;
  private readonly page: Statement<[string, string, number], Row>;
  private readonly upsert: Statement<[string, string, string, number]>;
  private readonly remove: Statement<[string]>;

  constructor(private readonly db: Database) {
    this.getOne = db.prepare('SELECT path, stat, hash, racy FROM pipeline_hash_cache WHERE path = ?');
    this.page = db.prepare('SELECT path, stat, hash, racy FROM pipeline_hash_cache WHERE path > ? AND path < ? ORDER BY path LIMIT ?');
    this.upsert = db.prepare('INSERT OR REPLACE INTO pipeline_hash_cache (path, stat, hash, racy) VALUES (?, ?, ?, ?)');
    this.remove = db.prepare('DELETE FROM pipeline_hash_cache WHERE path = ?');
  }

  get(file: string): StoredHash | undefined {
    return this.getOne.get(file);
  }

  /** Every cached file under `folder`, a page per turn of the event loop. */
  async under(folder: string): Promise<Map<string, StoredHash>> {
    // Paths under `folder` sort between `folder/` and `folder0` ('0' follows '/'; SQLite compares bytes).
    const prefix = folder.endsWith(path.sep) ? folder : folder + path.sep;
    const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
    const found = new Map<string, StoredHash>();
    let after = prefix;
    for (;;) {
      const rows = this.page.all(after, end, PAGE);
      for (const row of rows) found.set(row.path, row);
      if (rows.length < PAGE) return found;
      after = rows[rows.length - 1]!.path;
      await nextTurn();
    }
  }

  put(entries: ReadonlyArray<readonly [string, CachedHash]>): void {
    this.db.transaction(() => {
      for (const [file, cached] of entries) this.upsert.run(file, cached.stat, cached.hash, cached.racy ? 1 : 0);
    })();
  }

  /** Writes `entries`, a transaction per turn of the event loop. */
  async putInTurns(entries: ReadonlyArray<readonly [string, CachedHash]>): Promise<void> {
    await mapInTurns(
      entries,
      ([file, cached]) => this.upsert.run(file, cached.stat, cached.hash, cached.racy ? 1 : 0),
      (run) => this.db.transaction(run)(),
    );
  }

  async forget(files: readonly string[]): Promise<void> {
    await mapInTurns(
      files,
      (file) => this.remove.run(file),
      (run) => this.db.transaction(run)(),
    );
  }
}
