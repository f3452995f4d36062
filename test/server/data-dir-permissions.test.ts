import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../electron/services/store/database';
import { LOCK_FILE } from '../../electron/services/store/data-dir-lock';
import { SERVER_INFO_FILE } from '../../electron/server/server-info-file';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { tempDir } from '../helpers/temp-dir';

const servers: TestServer[] = [];
let umask: number | undefined;
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  if (umask !== undefined) process.umask(umask);
  umask = undefined;
});

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe.runIf(process.platform !== 'win32')('data dir permissions of a running Orrery', () => {
  it('creates a new data dir 0700 with its store, lock and server.json readable by the owner alone, under umask 022', async () => {
    umask = process.umask(0o022);
    const dataDir = path.join(tempDir(), 'new', 'orrery');
    const server = await startTestServer(dataDir);
    servers.push(server);
    expect(await server.mlflow('experiments/create', { name: 'x' })).toMatchObject({ status: 200 });

    const db = path.join(dataDir, DATABASE_FILE);
    expect({
      dir: mode(dataDir),
      db: mode(db),
      wal: mode(`${db}-wal`),
      shm: mode(`${db}-shm`),
      lock: mode(path.join(dataDir, LOCK_FILE)),
      serverJson: mode(path.join(dataDir, SERVER_INFO_FILE)),
    }).toEqual({ dir: 0o700, db: 0o600, wal: 0o600, shm: 0o600, lock: 0o600, serverJson: 0o600 });
  });

  it('tightens a pre-existing 0755 data dir and 0644 orrery.db left by a looser Orrery', async () => {
    umask = process.umask(0o022);
    const dataDir = tempDir();
    fs.chmodSync(dataDir, 0o755);
    const db = path.join(dataDir, DATABASE_FILE);
    const loose = new BetterSqlite3(db);
    loose.exec('CREATE TABLE leftover (x)');
    loose.close();
    fs.chmodSync(db, 0o644);
    expect([mode(dataDir), mode(db)]).toEqual([0o755, 0o644]);

    const server = await startTestServer(dataDir);
    servers.push(server);
    expect([mode(dataDir), mode(db), mode(`${db}-wal`), mode(`${db}-shm`)]).toEqual([0o700, 0o600, 0o600, 0o600]);
    expect(mode(path.join(dataDir, SERVER_INFO_FILE))).toBe(0o600);
  });
});
