import type { Database } from 'better-sqlite3';
import { OrreryError } from '../../../shared/errors';
import type { Migration } from './migration';

/**
 * Brings the schema to the newest version in one transaction, so a failing step leaves the
 * file exactly as it was. A file from a newer Orrery is refused, never downgraded.
 */
export function migrate(db: Database, file: string, migrations: readonly Migration[]): number {
  const current = assertNotNewer(db, file, migrations);
  const latest = migrations.at(-1)?.version ?? 0;
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return current;
  db.transaction(() => {
    for (const step of pending) {
      step.up(db);
      db.pragma(`user_version = ${step.version}`);
    }
  }).immediate();
  return latest;
}

/** Must run before anything writes (even switching to WAL rewrites the header). Returns the file's version. */
export function assertNotNewer(db: Database, file: string, migrations: readonly Migration[]): number {
  checkOrder(migrations);
  const latest = migrations.at(-1)?.version ?? 0;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) {
    throw new OrreryError(
      'CONFLICT',
      `The database ${file} was written by a newer Orrery (schema version ${current}; this one knows up to ${latest}). ` +
        'Upgrade Orrery or pass another --data-dir. The file was not changed.',
    );
  }
  return current;
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
}
