import fs from 'node:fs';
import path from 'node:path';
import { OrreryError } from '../../../shared/errors';

export interface DataDirSources {
  /** Value of --data-dir, when given. */
  flag?: string | undefined;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  homedir: string;
}

/**
 * Where Orrery keeps its data: --data-dir, else ORRERY_HOME, else the OS's per-user data folder.
 * Desktop and headless resolve it the same way so both open the same store.
 */
export function resolveDataDir({ flag, env, platform, homedir }: DataDirSources): string {
  if (flag) return path.resolve(flag);
  if (env.ORRERY_HOME) return path.resolve(env.ORRERY_HOME);
  switch (platform) {
    case 'darwin':
      return path.join(homedir, 'Library', 'Application Support', 'Orrery');
    case 'win32':
      return path.win32.join(env.APPDATA ?? path.win32.join(homedir, 'AppData', 'Roaming'), 'Orrery');
    default:
      return path.join(env.XDG_DATA_HOME || path.join(homedir, '.local', 'share'), 'orrery');
  }
}

export interface PrivateDataDir {
  /** The mode the folder had before it was tightened; null when it was already private or new. */
  tightenedFrom: number | null;
}

/**
 * Creates the data dir readable by its owner alone (0700), or tightens an existing one that is
 * looser: it holds the store, the API token (server.json) and every artifact. A folder owned by
 * someone else (a shared or admin-made folder) is left as it is. POSIX only: Windows folders
 * under the user's profile are private by their ACLs.
 */
export function ensurePrivateDataDir(dir: string, platform: NodeJS.Platform = process.platform): PrivateDataDir {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (platform === 'win32') return { tightenedFrom: null };
  const stat = fs.statSync(dir);
  if (!stat.isDirectory()) throw new OrreryError('CONFLICT', `The data dir ${dir} is not a folder. Pass another --data-dir.`);
  const mode = stat.mode & 0o7777;
  if ((mode & 0o077) === 0 || !ownedByUs(stat.uid)) return { tightenedFrom: null };
  fs.chmodSync(dir, 0o700);
  console.warn(`Orrery: the data dir ${dir} was readable by others (mode ${octal(mode)}); it is now ${octal(0o700)}, readable by its owner alone.`);
  return { tightenedFrom: mode };
}

/** Tightens a file we own to 0600 when others may read or write it; leaves a missing file alone. */
export function ensurePrivateFile(file: string, platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32') return;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (stat.isFile() && (stat.mode & 0o077) !== 0 && ownedByUs(stat.uid)) fs.chmodSync(file, 0o600);
}

function ownedByUs(uid: number): boolean {
  return typeof process.getuid === 'function' && process.getuid() === uid;
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
