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
