import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { OrreryError } from '../../../shared/errors';
import { ensurePrivateFile } from '../config/data-dir';
import type { Migration } from './migration';
import { assertNotNewer, migrate } from './migrator';
import { migrations as allMigrations } from './migrations/index';

export const DATABASE_FILE = 'orrery.db';

export interface OpenDatabaseOptions {
  dataDir: string;
  /** The Electron build of better-sqlite3 (desktop in development); the Node build otherwise. */
  nativeBinding?: string | undefined;
  migrations?: readonly Migration[];
}

export interface OpenedDatabase {
  db: Database;
  file: string;
  schemaVersion: number;
}

/** Opens (or creates) the store, checks it is a healthy Orrery database, and migrates it. */
export function openDatabase({ dataDir, nativeBinding, migrations = allMigrations }: OpenDatabaseOptions): OpenedDatabase {
  const file = path.join(dataDir, DATABASE_FILE);
  const existed = fs.existsSync(file) && fs.statSync(file).size > 0;
  makePrivate(file);
  let db: Database;
  try {
    db = new BetterSqlite3(file, { nativeBinding });
  } catch (error) {
    throw unreadable(file, error);
  }
  try {
    if (existed) checkReadable(db);
    assertNotNewer(db, file, migrations);
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL still survives a killed process (every commit is in the WAL before the
    // call returns); only a power cut can lose the last commits. FULL would fsync each commit.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const schemaVersion = migrate(db, file, migrations);
    return { db, file, schemaVersion };
  } catch (error) {
    db.close();
    throw error instanceof OrreryError ? error : unreadable(file, error);
  }
}

/**
 * The store is readable by its owner alone (0600). A new file is created so before SQLite opens
 * it; SQLite gives the -wal and -shm files it creates the database file's mode. Files a looser
 * Orrery (or umask) left are tightened. Changes permissions only, never contents.
 */
function makePrivate(file: string): void {
  if (process.platform === 'win32') return;
  try {
    fs.writeFileSync(file, '', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const companion of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) ensurePrivateFile(companion);
}

/** Reads before anything writes, so a corrupt or foreign file is reported, never overwritten. */
function checkReadable(db: Database): void {
  // Touches the header and schema pages only: cheap even for a store with millions of rows.
  db.prepare('SELECT count(*) FROM sqlite_master').get();
}

function unreadable(file: string, cause: unknown): OrreryError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new OrreryError(
    'CONFLICT',
    `The database ${file} cannot be opened: ${reason}. It may be corrupt or not an Orrery database; ` +
      'it was left untouched. Move it aside or pass another --data-dir.',
  );
}
