import fs from 'node:fs';
import { OrreryError } from '../../shared/errors';

/** Where the data dir's path came from, so the refusal can say what to change. */
export type DataDirSource = 'flag' | 'env' | 'default';

/**
 * An `orrery` command never creates a data dir: one that does not exist is a mistyped path or an
 * Orrery kept elsewhere, and opening it would silently answer from a new, empty store.
 */
export function requireExistingDataDir(dir: string, source: DataDirSource): void {
  const from = source === 'flag' ? 'given by --data-dir' : source === 'env' ? 'from ORRERY_HOME' : 'the default: neither --data-dir nor ORRERY_HOME is set';
  if (fs.existsSync(dir)) {
    // A file there would otherwise surface as "no server.json in it" or a raw EEXIST from mkdir.
    if (!fs.statSync(dir).isDirectory()) {
      throw new OrreryError('INVALID_INPUT', `The Orrery data dir ${dir} (${from}) is a file, not a folder. Point --data-dir DIR or ORRERY_HOME=DIR at the folder your Orrery uses.`);
    }
    return;
  }
  throw new OrreryError(
    'NOT_FOUND',
    `No Orrery data dir at ${dir} (${from}). Point at the folder your Orrery uses with --data-dir DIR or ORRERY_HOME=DIR; the desktop app and npm run serve create theirs when they first start (npm run serve prints it).`,
  );
}

export function dataDirSource(flag: string | undefined, env: NodeJS.ProcessEnv): DataDirSource {
  return flag ? 'flag' : env.ORRERY_HOME ? 'env' : 'default';
}

/**
 * How to start an Orrery on `dir`, for a command that found none running. Plain `npm run serve`
 * (and the desktop app) open the default data dir, so a dir named by --data-dir or ORRERY_HOME
 * is given to it explicitly.
 */
export function startOrreryAdvice(dir: string, source: DataDirSource): string {
  if (source === 'default') return 'open the desktop app or run npm run serve';
  const quoted = shellWord(dir);
  return `start one on this data dir with npm run serve -- --data-dir ${quoted} (or ORRERY_HOME=${quoted} npm run serve)`;
}

/** A path as one shell word, so the advice can be pasted as it is: single-quoted, each ' as '\'' (close, escaped quote, reopen). */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, '\'\\\'\'')}'`;
}
