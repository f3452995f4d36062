import { OrreryError, type ErrorCode } from '../../../shared/errors';

/** What a store keeps of a failed call: enough to show it and to react to its code. */
export interface LoadError {
  code: ErrorCode;
  message: string;
}

export function toLoadError(err: unknown): LoadError {
  if (err instanceof OrreryError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
