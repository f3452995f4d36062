import { OrreryError } from '../../../shared/errors';

const DISK_FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);

/**
 * Failures of the disk or of SQLite's own limits that a user can act on, as the errors that say
 * so. Everything else stays an internal error. Clients such as MLflow's retry 5xx answers
 * (except 507), so a request that can never succeed must not look like one.
 */
export function storageError(error: unknown): OrreryError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (DISK_FULL_CODES.has(code)) {
    return new OrreryError(
      'STORAGE_FULL',
      'The disk holding the Orrery data dir is full: nothing of this request was stored. Free some space and send it again.',
    );
  }
  if (code === 'ENAMETOOLONG') {
    return new OrreryError('INVALID_INPUT', 'A name in this request is too long for the file system (at most 255 bytes per path segment).');
  }
  if (code === 'SQLITE_TOOBIG') return new OrreryError('INVALID_INPUT', 'A value in this request is too large to store.');
  return null;
}

/** The error a transport should answer with: an OrreryError as is, a storage failure as one, else null. */
export function knownError(error: unknown): OrreryError | null {
  return error instanceof OrreryError ? error : storageError(error);
}
