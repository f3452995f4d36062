import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase } from '../../../electron/services/store/database';
import type { Migration } from '../../../electron/services/store/migration';
import { migrations } from '../../../electron/services/store/migrations/index';
import { AppMetaRepository } from '../../../electron/services/store/app-meta-repository';
import { tempDir } from '../../helpers/temp-dir';

const latest = migrations.at(-1)!.version;

describe('store', () => {
  it('creates a WAL database at the latest schema version and reopens it unchanged', () => {
    const dataDir = tempDir();
    const first = openDatabase({ dataDir });
    expect(first.file).toBe(path.join(dataDir, DATABASE_FILE));
    expect(first.schemaVersion).toBe(latest);
    expect(first.db.pragma('journal_mode', { simple: true })).toBe('wal');
    new AppMetaRepository(first.db).recordOpen('0.1.0', 1000);
    first.db.close();

    const again = openDatabase({ dataDir });
    expect(again.db.pragma('user_version', { simple: true })).toBe(latest);
    expect(new AppMetaRepository(again.db).get('created_with')).toBe('0.1.0');
    again.db.close();
  });

  it('refuses a database from a newer Orrery, naming the file, and leaves it byte-for-byte intact', () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, DATABASE_FILE);
    const future = new BetterSqlite3(file);
    future.exec('CREATE TABLE future_things (x)');
    future.pragma(`user_version = ${latest + 5}`);
    future.close();
    const before = fs.readFileSync(file);

    expect(() => openDatabase({ dataDir })).toThrow(new RegExp(`${escape(file)} was written by a newer Orrery \\(schema version ${latest + 5}`));
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it('refuses a corrupt file with a clear error naming it, and never overwrites it', () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, DATABASE_FILE);
    const garbage = Buffer.from('this is not a sqlite database, it is a text file that got renamed\n'.repeat(100));
    fs.writeFileSync(file, garbage);

    expect(() => openDatabase({ dataDir })).toThrow(new RegExp(`database ${escape(file)} cannot be opened: .*not a database`));
    expect(fs.readFileSync(file).equals(garbage)).toBe(true);
  });

  it('applies migrations in one transaction: a failing step leaves the schema as it was', () => {
    const dataDir = tempDir();
    const steps: Migration[] = [
      { version: 1, name: 'one', up: (db) => db.exec('CREATE TABLE one (x)') },
      { version: 2, name: 'broken', up: (db) => db.exec('CREATE TABLE two (x); THIS IS NOT SQL') },
    ];
    expect(() => openDatabase({ dataDir, migrations: steps })).toThrow(/syntax error/);

    const db = new BetterSqlite3(path.join(dataDir, DATABASE_FILE));
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([]);
    db.close();
  });

  it('runs only the steps a database has not had yet', () => {
    const dataDir = tempDir();
    const ran: number[] = [];
    const step = (version: number): Migration => ({ version, name: `m${version}`, up: () => void ran.push(version) });
    openDatabase({ dataDir, migrations: [step(1)] }).db.close();
    const { db, schemaVersion } = openDatabase({ dataDir, migrations: [step(1), step(2), step(3)] });
    db.close();
    expect(ran).toEqual([1, 2, 3]);
    expect(schemaVersion).toBe(3);
  });
});

describe.runIf(process.platform !== 'win32')('store file permissions', () => {
  let umask: number | undefined;
  afterEach(() => {
    if (umask !== undefined) process.umask(umask);
    umask = undefined;
  });
  const mode = (file: string) => fs.statSync(file).mode & 0o777;

  it('creates the database, its -wal and its -shm readable by the owner alone, even under a loose umask', () => {
    umask = process.umask(0o022);
    const dataDir = tempDir();
    const { db, file } = openDatabase({ dataDir });
    new AppMetaRepository(db).recordOpen('0.1.0', 1000);
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    expect(fs.existsSync(`${file}-shm`)).toBe(true);
    expect([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual([0o600, 0o600, 0o600]);
    db.close();
  });

  it('tightens a 0644 database and the 0644 -wal a killed, looser Orrery left, keeping the commits in that WAL', () => {
    const dataDir = tempDir();
    const seed = openDatabase({ dataDir });
    new AppMetaRepository(seed.db).recordOpen('0.1.0', 1000);
    // Copied while open, as a SIGKILL leaves it: the last commits are in the WAL only.
    const killed = tempDir();
    for (const name of [DATABASE_FILE, `${DATABASE_FILE}-wal`]) {
      fs.copyFileSync(path.join(dataDir, name), path.join(killed, name));
      fs.chmodSync(path.join(killed, name), 0o644);
    }
    seed.db.close();

    umask = process.umask(0o022);
    const reopened = openDatabase({ dataDir: killed });
    const file = reopened.file;
    expect([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual([0o600, 0o600, 0o600]);
    expect(new AppMetaRepository(reopened.db).get('created_with')).toBe('0.1.0');
    reopened.db.close();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
