/** Error codes every transport uses; each maps to one HTTP status. */
export const errorStatus = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  /** Creating something whose name or key is taken. */
  ALREADY_EXISTS: 409,
  /** The request is valid but the state forbids it (a data dir in use, a newer database). */
  CONFLICT: 409,
  /** A request body over the endpoint's size limit. */
  TOO_LARGE: 413,
  UNAVAILABLE: 503,
  /** The disk holding the data dir is full: nothing of the request was stored; retry once space is freed. */
  STORAGE_FULL: 507,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/** The one error type that crosses transports: the client re-throws it with its code. */
export class OrreryError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'OrreryError';
    this.code = code;
  }
  toBody(): ErrorBody {
    return { code: this.code, message: boundedMessage(this.message) };
  }
}

/** The longest error message a transport sends: a safety net for messages that repeat bad input. */
export const MAX_ERROR_MESSAGE = 1000;

export function boundedMessage(message: string): string {
  return message.length > MAX_ERROR_MESSAGE ? `${message.slice(0, MAX_ERROR_MESSAGE)}… (message cut; ${message.length} characters)` : message;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorStatus, value);
}

/** What a transport returns for every call: a result, or an error as data. */
export type Envelope<T> = { ok: true; result: T } | { ok: false; error: ErrorBody };

/** Bad input from the caller: the message names the field and the problem. */
export function invalid(message: string): OrreryError {
  return new OrreryError('INVALID_INPUT', message);
}

/** The thing asked for does not exist: the message names it. */
export function notFound(message: string): OrreryError {
  return new OrreryError('NOT_FOUND', message);
}

/** The request clashes with what is stored (a name taken, a state that forbids it). */
export function conflict(message: string): OrreryError {
  return new OrreryError('CONFLICT', message);
}
