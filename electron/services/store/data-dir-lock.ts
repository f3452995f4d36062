import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OrreryError } from '../../../shared/errors';

export const LOCK_FILE = 'orrery.lock';

/** Suffix of the claim that whoever replaces a stale lock file must hold while doing it. */
const CLAIM_SUFFIX = '.takeover';
/** Claims of claims exist only when a taker was killed in the middle of a takeover; a few levels is plenty. */
const MAX_CLAIM_DEPTH = 4;
/** How long to wait for another process that is in the middle of a takeover before giving up. */
const TAKEOVER_PATIENCE_MS = 10_000;

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

/** One lock (or claim) file as seen at one moment: its owner and the identity of the file itself. */
interface Seen {
  pid: number | null;
  dev: bigint;
  ino: bigint;
  ctimeNs: bigint;
  size: bigint;
}

/**
 * One Orrery per data dir. The lock file holds the owner's PID; a lock whose owner is gone
 * (crash, SIGKILL) is taken over instead of refusing forever.
 *
 * Why this cannot let two processes win, even when many race for the same stale lock:
 * - A lock file is only ever created with link(2) of a complete temp file (create-only: exactly
 *   one of any number of racers succeeds, and nobody ever reads a half-written file).
 * - An existing lock file is only ever replaced, never removed then re-created: the taker renames
 *   its own temp file over it, in one step, so there is no moment without a lock file for a
 *   create-only racer to slip into.
 * - Replacing is allowed only to the holder of the claim `orrery.lock.takeover`, which is itself
 *   a lock taken by this same protocol (so exactly one holder at a time, and a claim left by a
 *   taker killed mid-takeover is in turn taken over through `orrery.lock.takeover.takeover`).
 *   Holding the claim, the taker looks again and replaces the file only when it is still the very
 *   file (device, inode, ctime, size, PID) it judged stale. Between that look and the rename
 *   nobody else can change the file: other takers need the claim, a create needs the file to be
 *   absent, and only its owner removes it, and that owner is dead. A racer that read the stale
 *   lock earlier and gets the claim later sees a different file and backs off.
 * - Only the owner removes its lock (on release), after checking it is still its own.
 */
export class DataDirLock {
  private held = false;
  private heldIno: bigint | null = null;
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly pid: number = process.pid,
    private readonly isAlive: PidProbe = processIsAlive,
  ) {
    this.file = path.join(dataDir, LOCK_FILE);
  }

  acquire(): void {
    const owner = this.take(this.file, 0);
    if (owner !== null) {
      throw new OrreryError(
        'CONFLICT',
        `The data dir ${path.dirname(this.file)} is already in use by PID ${owner}. Close that Orrery or pass another --data-dir.`,
      );
    }
    this.held = true;
    this.heldIno = observe(this.file)?.ino ?? null;
    this.removeDeadTempFiles();
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    const seen = observe(this.file);
    if (seen && seen.pid === this.pid && (this.heldIno === null || seen.ino === this.heldIno)) fs.rmSync(this.file, { force: true });
  }

  /** Takes `file` for this process; null when taken, else the PID of the live process holding it. */
  private take(file: string, depth: number): number | null {
    if (depth > MAX_CLAIM_DEPTH) {
      throw new OrreryError('CONFLICT', `Could not take the lock ${this.file}: too many abandoned takeover claims (${file}). Remove them by hand.`);
    }
    const giveUpAt = Date.now() + TAKEOVER_PATIENCE_MS;
    for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
      const temp = this.writeTemp(file);
      try {
        if (createExclusive(temp, file)) return null;
        const seen = observe(file);
        if (!seen) continue; // Released meanwhile: try to create it again.
        if (seen.pid !== null && seen.pid !== this.pid && this.isAlive(seen.pid)) return seen.pid;

        // Stale (owner gone, unreadable, or a previous process with our PID, as pid 1 in a
        // container): replace it, but only while holding the claim.
        const claim = `${file}${CLAIM_SUFFIX}`;
        if (this.take(claim, depth + 1) === null) {
          try {
            const now = observe(file);
            if (now && sameFile(now, seen)) {
              fs.renameSync(temp, file);
              return null;
            }
            // Someone else replaced or released it first: look again.
          } finally {
            this.dropClaim(claim);
          }
          continue;
        }
        // Another process is in the middle of a takeover; it takes moments.
        if (Date.now() > giveUpAt) {
          throw new OrreryError('CONFLICT', `Could not take the lock ${this.file}: another process has been taking it over for ${TAKEOVER_PATIENCE_MS / 1000} s.`);
        }
        sleep(pause);
      } finally {
        fs.rmSync(temp, { force: true });
      }
    }
  }

  private dropClaim(claim: string): void {
    if (observe(claim)?.pid === this.pid) fs.rmSync(claim, { force: true });
  }

  /** A complete file holding our PID, next to `file`, to be linked or renamed into place. */
  private writeTemp(file: string): string {
    const temp = `${file}.${this.pid}-${crypto.randomBytes(6).toString('hex')}.tmp`;
    fs.writeFileSync(temp, `${this.pid}\n`, { flag: 'wx', mode: 0o600 });
    return temp;
  }

  /** Temp files of takers killed mid-way (their PID is in the name); those of live racers stay. */
  private removeDeadTempFiles(): void {
    const dir = path.dirname(this.file);
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const match = /^orrery\.lock(?:\.takeover)*\.(\d+)-[0-9a-f]+\.tmp$/.exec(name);
      if (!match) continue;
      const pid = Number(match[1]);
      if (pid !== this.pid && !this.isAlive(pid)) fs.rmSync(path.join(dir, name), { force: true });
    }
  }
}

/** Creates `file` as a second name of the complete `temp` file; false when `file` exists. */
function createExclusive(temp: string, file: string): boolean {
  try {
    fs.linkSync(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
  }
  // A file system without hard links (FAT): an exclusive create, written in one call.
  try {
    fs.writeFileSync(file, fs.readFileSync(temp), { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** The file's owner and identity, read through one descriptor so both describe the same file. */
function observe(file: string): Seen | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const stat = fs.fstatSync(fd, { bigint: true });
    const pid = Number.parseInt(fs.readFileSync(fd, 'utf8').trim(), 10);
    return { pid: Number.isInteger(pid) && pid > 0 ? pid : null, dev: stat.dev, ino: stat.ino, ctimeNs: stat.ctimeNs, size: stat.size };
  } finally {
    fs.closeSync(fd);
  }
}

function sameFile(a: Seen, b: Seen): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.ctimeNs === b.ctimeNs && a.size === b.size && a.pid === b.pid;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
