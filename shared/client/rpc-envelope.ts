import type { Envelope, ErrorCode } from '../errors';
import { errorStatus, isErrorCode } from '../errors';

/** Accepts a parsed response body if it is a well-formed envelope. */
export function asEnvelope(body: unknown): Envelope<unknown> | null {
  if (typeof body !== 'object' || body === null) return null;
  const record = body as Record<string, unknown>;
  if (record['ok'] === true) return { ok: true, result: record['result'] };
  if (record['ok'] !== false) return null;
  const error = record['error'];
  if (typeof error !== 'object' || error === null) return null;
  const { code, message } = error as Record<string, unknown>;
  if (typeof message !== 'string') return null;
  return { ok: false, error: { code: isErrorCode(code) ? code : 'INTERNAL', message } };
}

/** For answers that carry no envelope (a proxy's 502 page, a crashed handler): the code its status means. */
export function codeForStatus(status: number): ErrorCode {
  for (const [code, s] of Object.entries(errorStatus)) {
    if (s === status && isErrorCode(code)) return code;
  }
  if (status === 502 || status === 504) return 'UNAVAILABLE';
  if (status >= 400 && status < 500) return 'INVALID_INPUT';
  return 'INTERNAL';
}

export function errorEnvelope(code: ErrorCode, message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
