import { OrreryError } from '../../../shared/errors';

/** Turning dockerode's failures into the engine's own words and OrreryError codes. */

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export function statusOf(error: unknown): number | null {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : null;
}

/** The engine's own words: dockerode keeps them under json.message and wraps them in its message. */
export function engineMessage(error: unknown): string {
  const json = (error as { json?: unknown } | null)?.json;
  if (json !== null && typeof json === 'object') {
    const message = (json as { message?: unknown }).message;
    if (typeof message === 'string' && message.trim() !== '') return message.trim();
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/** An engine failure as an OrreryError: the request's fault (4xx) or the engine's (no answer, 5xx). */
export function engineError(error: unknown, context: string): OrreryError {
  if (error instanceof OrreryError) return error;
  const status = statusOf(error);
  const message = `${context}: ${engineMessage(error)}`;
  if (status === 404) return new OrreryError('NOT_FOUND', message);
  if (status === 409) return new OrreryError('CONFLICT', message);
  if (status !== null && status >= 400 && status < 500) return new OrreryError('INVALID_INPUT', message);
  if (status === null) return new OrreryError('UNAVAILABLE', message);
  return new OrreryError('INTERNAL', message);
}
