import path from 'node:path';

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
