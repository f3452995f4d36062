import type { Dirent } from 'node:fs';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { processIsAlive, type PidProbe } from '../store/data-dir-lock';
import { emptyFindings, errorText, type LeftoverFindings } from '../store/crash-leftovers';

/** oci/model-artifact.ts builds a push's config and tar layers in `<os.tmpdir()>/orrery-oci-XXXXXX`. */
export const OCI_TEMP_PREFIX = 'orrery-oci-';
/** Written into such a folder once built, naming the process pushing from it. */
export const OCI_OWNER_FILE = '.orrery-owner';

/** When this process started (ms since the epoch). */
export const PROCESS_STARTED_AT = Date.now() - process.uptime() * 1000;

/**
 * An unmarked folder must also have been left untouched this long: another process may be building
 * one right now (tests of oci/ build artifacts without the registry service, hence without a mark).
 */
export const UNMARKED_IDLE_MS = 10 * 60 * 1000;

/**
 * Marks a push's temp folder as this process's, so the start-up sweep of another Orrery (another
 * data dir, same temp dir) leaves it alone while this process lives. Best effort: a folder that
 * cannot be marked is still protected while files are being written into it (see below).
 */
export function markOciTempFolder(dir: string): void {
  try {
    fs.writeFileSync(path.join(dir, OCI_OWNER_FILE), `${JSON.stringify({ pid: process.pid, startedAt: PROCESS_STARTED_AT })}\n`, { mode: 0o600 });
  } catch {
    // Unmarked folders are judged by their age.
  }
}

function ownerPid(dir: string): number | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, OCI_OWNER_FILE), 'utf8')) as { pid?: unknown };
    return typeof parsed.pid === 'number' && Number.isInteger(parsed.pid) && parsed.pid > 0 ? parsed.pid : null;
  } catch {
    return null;
  }
}

/** The latest mtime of the folder and of what it directly holds. */
async function lastWritten(dir: string, entries: readonly Dirent[]): Promise<number> {
  let latest = (await fsp.lstat(dir)).mtimeMs;
  for (const entry of entries) {
    try {
      latest = Math.max(latest, (await fsp.lstat(path.join(dir, entry.name))).mtimeMs);
    } catch {
      // Removed meanwhile: the folder is in use.
      return Number.POSITIVE_INFINITY;
    }
  }
  return latest;
}

export interface OciTempSweepOptions {
  /** os.tmpdir() */
  tmpDir: string;
  /** Unmarked folders written to after this moment may belong to a build in progress; default: when this process started. */
  startedAt?: number;
  /** Default UNMARKED_IDLE_MS. */
  unmarkedIdleMs?: number;
  now?: () => number;
  isAlive?: PidProbe;
}

/**
 * Start-up sweep of the temp dir: removes `orrery-oci-*` folders of pushes that a crash
 * interrupted. The temp dir is shared by every Orrery on the machine (other data dirs, other
 * users), so a folder is removed only when it is this user's, and either its owner mark names a
 * process that is gone, or it has no mark (a build was interrupted before it was marked) and
 * nothing in it was written since this process started, nor in the last UNMARKED_IDLE_MS.
 * Folders of this process are never touched.
 */
export async function sweepOciTempFolders(options: OciTempSweepOptions, stopped: () => boolean = () => false): Promise<LeftoverFindings> {
  const found = emptyFindings();
  const removed: string[] = [];
  const now = options.now ?? Date.now;
  const writtenBefore = Math.min(options.startedAt ?? PROCESS_STARTED_AT, now() - (options.unmarkedIdleMs ?? UNMARKED_IDLE_MS));
  const isAlive = options.isAlive ?? processIsAlive;
  const uid = process.getuid?.();
  let names: string[];
  try {
    names = (await fsp.readdir(options.tmpDir)).filter((n) => n.startsWith(OCI_TEMP_PREFIX));
  } catch (error) {
    found.failed.push({ path: options.tmpDir, error: errorText(error) });
    return found;
  }
  for (const name of names) {
    if (stopped()) break;
    const dir = path.join(options.tmpDir, name);
    try {
      const stats = await fsp.lstat(dir);
      if (!stats.isDirectory() || (uid !== undefined && stats.uid !== uid)) continue;
      const owner = ownerPid(dir);
      if (owner !== null) {
        if (owner === process.pid || isAlive(owner)) continue;
      } else if ((await lastWritten(dir, await fsp.readdir(dir, { withFileTypes: true }))) >= writtenBefore) {
        continue;
      }
      await fsp.rm(dir, { recursive: true });
      removed.push(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') found.failed.push({ path: dir, error: errorText(error) });
    }
  }
  found.removed.ociTempFolders = removed;
  return found;
}
