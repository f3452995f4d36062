import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { IntegrityCheck, integrityReport } from '../../../electron/services/store/integrity-check';
import { damageLeafPage } from '../../helpers/damaged-store';
import { tempDir } from '../../helpers/temp-dir';

/** A closed WAL-mode store with `rows` rows of `rowBytes` random bytes in table `filler`. */
function store(rows: number, rowBytes = 200): string {
  const file = path.join(tempDir(), 'orrery.db');
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, payload BLOB); CREATE TABLE small (x)');
  const insert = db.prepare('INSERT INTO filler (payload) VALUES (randomblob(?))');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(rowBytes);
  })();
  db.close();
  return file;
}

describe('integrity check', () => {
  it('passes a healthy small store at once, on this thread', async () => {
    const file = store(2000);
    const check = new IntegrityCheck({ file });
    expect(check.status()).toMatchObject({ state: 'checking', startedAt: null });
    const started = check.start();
    // Small: finished before start() returned.
    expect(check.status()).toMatchObject({ state: 'ok', background: false, databaseFile: file, problems: [] });
    expect(await started).toMatchObject({ state: 'ok' });
    expect(check.status().sizeBytes).toBe(fs.statSync(file).size);
    expect(integrityReport(check.status())).toBeNull();
  });

  it('reports a damaged data page that opening the store never reads, naming the file and what to do', async () => {
    const file = store(2000);
    damageLeafPage(file, 'filler');
    // Opening and reading other tables still works: only a full read of the pages finds it.
    const db = new BetterSqlite3(file);
    expect(db.prepare('SELECT count(*) AS n FROM small').get()).toEqual({ n: 0 });
    db.close();

    const status = await new IntegrityCheck({ file }).start();
    expect(status.state).toBe('damaged');
    expect(status.problems.length).toBeGreaterThan(0);
    expect(status.message).toContain(`The database ${file} is damaged`);
    expect(status.message).toMatch(/restore orrery\.db from a backup/);
    expect(status.message).toMatch(/move orrery\.db, orrery\.db-wal and orrery\.db-shm aside/);
    expect(status.message).toContain('another --data-dir');
    expect(integrityReport(status)).toEqual({ stream: 'stderr', text: `Orrery: ${status.message}` });
  });

  it('checks a large store in the background, saying so, and finds the same damage there', async () => {
    const healthy = store(2000);
    const heard: string[] = [];
    const check = new IntegrityCheck({ file: healthy, inlineLimitBytes: 0 });
    const done = check.start((s) => heard.push(s.state));
    expect(check.status()).toMatchObject({ state: 'checking', background: true });
    expect(check.status().message).toMatch(/in the background; Orrery works meanwhile/);
    expect(integrityReport(check.status())?.stream).toBe('stdout');
    const passed = await done;
    expect(integrityReport(passed)).toEqual({ stream: 'stdout', text: `Orrery: ${passed.message}` });
    expect(await done).toMatchObject({ state: 'ok', background: true });
    expect(heard).toEqual(['checking', 'ok']);

    const damaged = store(2000);
    damageLeafPage(damaged, 'filler');
    const status = await new IntegrityCheck({ file: damaged, inlineLimitBytes: 0 }).start();
    expect(status).toMatchObject({ state: 'damaged', background: true });
    expect(status.message).toContain(damaged);
  });

  it('keeps the event loop free while a large store is checked in the background', { timeout: 120_000 }, async () => {
    // ~40 MB: checking it here blocks the loop for a clearly measurable time.
    const file = store(200_000);
    const t0 = performance.now();
    expect((await new IntegrityCheck({ file }).start()).state).toBe('ok');
    const blocking = performance.now() - t0;

    let last = performance.now();
    let longestGap = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 2);
    const t1 = performance.now();
    const status = await new IntegrityCheck({ file, inlineLimitBytes: 0 }).start();
    const background = performance.now() - t1;
    clearInterval(ticker);
    expect(status).toMatchObject({ state: 'ok', background: true });
    expect(longestGap, `inline check blocked ${blocking.toFixed(0)} ms; background took ${background.toFixed(0)} ms`).toBeLessThan(Math.max(50, blocking / 3));
  });

  // Linux only: it finds the child through /proc.
  it.skipIf(process.platform !== 'linux')('stops a background check at once when the app closes (a quick_check cannot be interrupted, so it runs in a child that is killed)', { timeout: 120_000 }, async () => {
    const file = store(300_000);
    const check = new IntegrityCheck({ file, inlineLimitBytes: 0 });
    const done = check.start();
    const running = () => checkProcesses(file);
    await expect.poll(running, { timeout: 10_000, interval: 5 }).not.toEqual([]);
    check.stop();
    await expect.poll(running, { timeout: 2_000, interval: 10 }).toEqual([]);
    // Stopped, not judged: the status stays as it was.
    expect(await done).toMatchObject({ state: 'checking', background: true });
  });

  it('reports a check that cannot run as failed, not as damage', async () => {
    const status = await new IntegrityCheck({ file: path.join(tempDir(), 'missing.db') }).start();
    expect(status.state).toBe('failed');
    expect(status.message).toMatch(/could not be checked: .*This says nothing about damage/);
  });

  it('gives up a background check that runs past its time limit', async () => {
    const status = await new IntegrityCheck({ file: store(2000), inlineLimitBytes: 0, timeoutMs: 0 }).start();
    expect(status.state).toBe('failed');
    expect(status.message).toMatch(/did not finish within 0 min/);
  });
});

/** Live (not zombie) processes whose command line names `file`: the background check's child. */
function checkProcesses(file: string): number[] {
  const found: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(file)) continue;
      const state = /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (state !== 'Z') found.push(Number(pid));
    } catch {
      // Gone while being read.
    }
  }
  return found;
}
