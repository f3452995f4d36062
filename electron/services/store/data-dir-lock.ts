import fs from 'node:fs';
import path from 'node:path';
import { OrreryError } from '../../../shared/errors';

export const LOCK_FILE = 'orrery.lock';

/** Tells whether a process id is alive; injectable so tests can simulate dead owners. */
export type PidProbe = (pid: number) => boolean;

export const processIsAlive: PidProbe = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * One Orrery per data dir. The lock file holds the owner's PID; a lock whose owner is gone
 * (crash, SIGKILL) is taken over instead of refusing forever.
 */
export class DataDirLock {
  private held = false;
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly pid: number = process.pid,
    private readonly isAlive: PidProbe = processIsAlive,
  ) {
    this.file = path.join(dataDir, LOCK_FILE);
  }

  acquire(): void {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(this.file, `${this.pid}\n`, { flag: 'wx', mode: 0o600 });
        this.held = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = this.readOwner();
      if (owner !== null && owner !== this.pid && this.isAlive(owner)) {
        throw new OrreryError(
          'CONFLICT',
          `The data dir ${path.dirname(this.file)} is already in use by PID ${owner}. Close that Orrery or pass another --data-dir.`,
        );
      }
      // Stale (owner gone, unreadable, or ourselves): remove and retry the exclusive create,
      // so two processes racing for a stale lock cannot both win.
      fs.rmSync(this.file, { force: true });
    }
    throw new OrreryError('CONFLICT', `Could not take the lock ${this.file}; another process keeps taking it.`);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    if (this.readOwner() === this.pid) fs.rmSync(this.file, { force: true });
  }

  private readOwner(): number | null {
    try {
      const pid = Number.parseInt(fs.readFileSync(this.file, 'utf8').trim(), 10);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  }
}
