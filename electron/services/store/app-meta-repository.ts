import type { Database } from 'better-sqlite3';

/** Key/value facts about the store (who created it, who opened it last). */
export class AppMetaRepository {
  constructor(private readonly db: Database) {}

  get(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM app_meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  set(key: string, value: string): void {
    this.db.prepare('INSERT INTO app_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Records the version that created the store (once) and the one opening it now. */
  recordOpen(version: string, now: number): void {
    this.db.transaction(() => {
      if (this.get('created_with') === null) {
        this.set('created_with', version);
        this.set('created_at', String(now));
      }
      this.set('last_opened_with', version);
    })();
  }
}
