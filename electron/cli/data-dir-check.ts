import fs from 'node:fs';
import { OrreryError } from '../../shared/errors';

/** Where the data dir's path came from, so the refusal can say what to change. */
export type DataDirSource = 'flag' | 'env' | 'default';

/**
 * An `orrery` command never creates a data dir: one that does not exist is a mistyped path or an
 * Orrery kept elsewhere, and opening it would silently answer from a new, empty store.
 */
export function requireExistingDataDir(dir: string, source: DataDirSource): void {
  if (fs.existsSync(dir)) return;
  const from = source === 'flag' ? 'given by --data-dir' : source === 'env' ? 'from ORRERY_HOME' : 'the default: neither --data-dir nor ORRERY_HOME is set';
  throw new OrreryError(
    'NOT_FOUND',
    `No Orrery data dir at ${dir} (${from}). Point at the folder your Orrery uses with --data-dir DIR or ORRERY_HOME=DIR; the desktop app and npm run serve create theirs when they first start (npm run serve prints it).`,
  );
}

export function dataDirSource(flag: string | undefined, env: NodeJS.ProcessEnv): DataDirSource {
  return flag ? 'flag' : env.ORRERY_HOME ? 'env' : 'default';
}
