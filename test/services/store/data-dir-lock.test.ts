import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLock, LOCK_FILE } from '../../../electron/services/store/data-dir-lock';
import { tempDir } from '../../helpers/temp-dir';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** A real process that stays alive until killed. */
async function liveProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child;
}

describe('data dir lock', () => {
  it('refuses a second Orrery on the same data dir, naming the PID that holds it', async () => {
    const dir = tempDir();
    const other = await liveProcess();
    fs.writeFileSync(path.join(dir, LOCK_FILE), `${other.pid}\n`);
    expect(() => new DataDirLock(dir).acquire()).toThrow(`already in use by PID ${other.pid}`);
  });

  it('takes over a lock left by a process that was SIGKILLed', async () => {
    const dir = tempDir();
    const crashed = await liveProcess();
    fs.writeFileSync(path.join(dir, LOCK_FILE), `${crashed.pid}\n`);
    crashed.kill('SIGKILL');
    await new Promise((resolve) => crashed.once('exit', resolve));

    const lock = new DataDirLock(dir);
    lock.acquire();
    expect(fs.readFileSync(lock.file, 'utf8').trim()).toBe(String(process.pid));
    lock.release();
    expect(fs.existsSync(lock.file)).toBe(false);
  });

  it('takes over an unreadable (empty) lock file', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, LOCK_FILE), '');
    const lock = new DataDirLock(dir);
    lock.acquire();
    expect(fs.readFileSync(lock.file, 'utf8').trim()).toBe(String(process.pid));
  });

  it('two locks in one data dir: the second fails while the first is held, succeeds after release', () => {
    const dir = tempDir();
    const first = new DataDirLock(dir, 111, () => true);
    first.acquire();
    expect(() => new DataDirLock(dir, 222, () => true).acquire()).toThrow('already in use by PID 111');
    first.release();
    new DataDirLock(dir, 222, () => true).acquire();
  });

  it('release never removes a lock that someone else took over', () => {
    const dir = tempDir();
    const lock = new DataDirLock(dir, 111, () => false);
    lock.acquire();
    fs.writeFileSync(lock.file, '222\n');
    lock.release();
    expect(fs.readFileSync(lock.file, 'utf8').trim()).toBe('222');
  });
});

describe('data dir lock: what crashed takers leave behind', () => {
  it('takes over a stale lock even when a taker was killed holding the takeover claim, and leaves nothing else', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, LOCK_FILE), '111\n');
    fs.writeFileSync(path.join(dir, `${LOCK_FILE}.takeover`), '222\n');
    fs.writeFileSync(path.join(dir, `${LOCK_FILE}.222-abcdef.tmp`), '222\n');
    const dead = new Set([111, 222]);
    const lock = new DataDirLock(dir, 333, (pid) => !dead.has(pid));
    lock.acquire();
    expect(fs.readFileSync(lock.file, 'utf8').trim()).toBe('333');
    expect(fs.readdirSync(dir)).toEqual([LOCK_FILE]);
  });

  it('waits for a live taker holding the claim, then reports the PID it took the lock for', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, LOCK_FILE), '111\n');
    fs.writeFileSync(path.join(dir, `${LOCK_FILE}.takeover`), '222\n');
    // The live taker (222) finishes its takeover while we wait for its claim.
    let probes = 0;
    const isAlive = (pid: number) => {
      if (pid === 222 && ++probes === 2) {
        fs.writeFileSync(path.join(dir, LOCK_FILE), '222\n');
        fs.rmSync(path.join(dir, `${LOCK_FILE}.takeover`));
      }
      return pid === 222;
    };
    expect(() => new DataDirLock(dir, 333, isAlive).acquire()).toThrow('already in use by PID 222');
    expect(fs.readdirSync(dir).sort()).toEqual([LOCK_FILE]);
  });
});
