import type { Database } from 'better-sqlite3';
import { StatementCache } from '../store/statement-cache';

export interface RemoteRow {
  name: string;
  url: string;
  repository_prefix: string;
  created_at: number;
  updated_at: number;
}

/** The remote_registries table. */
export class RemoteRegistryRepository {
  private readonly sql: StatementCache;

  constructor(db: Database) {
    this.sql = new StatementCache(db);
  }

  list(): RemoteRow[] {
    return this.sql.get('SELECT * FROM remote_registries ORDER BY name').all() as RemoteRow[];
  }

  get(name: string): RemoteRow | undefined {
    return this.sql.get('SELECT * FROM remote_registries WHERE name = ?').get(name) as RemoteRow | undefined;
  }

  upsert(row: Omit<RemoteRow, 'created_at'>, now: number): void {
    this.sql
      .get(
        `INSERT INTO remote_registries (name, url, repository_prefix, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET url = excluded.url, repository_prefix = excluded.repository_prefix, updated_at = excluded.updated_at`,
      )
      .run(row.name, row.url, row.repository_prefix, now, row.updated_at);
  }

  delete(name: string): boolean {
    return this.sql.get('DELETE FROM remote_registries WHERE name = ?').run(name).changes > 0;
  }
}
