/**
 * A call that came back without an envelope. What a person reads about it depends on where they
 * sit (a page in a browser, a terminal), so the transport describes the failure and a wording
 * function turns it into the message.
 */
export type CallFailure =
  | { kind: 'unreachable'; method: string; detail: string }
  | {
    kind: 'no-envelope';
    method: string;
    ok: boolean;
    status: number;
    statusText: string;
    /** The body as read (empty when it could not be read). */
    text: string;
    /** Why the body is not JSON; null when it is JSON, just not an envelope. */
    notJson: string | null;
  };

export type CallFailureWording = (failure: CallFailure) => string;

/** The page's wording: the page knows which server it came from, so it is not named. */
export const pageWording: CallFailureWording = (failure) => {
  if (failure.kind === 'unreachable') return `Cannot reach the Orrery server: ${failure.detail}`;
  if (failure.notJson === null) return `Malformed answer to ${failure.method} (HTTP ${failure.status})`;
  if (failure.ok) return `The server's answer to ${failure.method} was not JSON: ${failure.notJson}`;
  return `HTTP ${failure.status} ${failure.statusText}`.trim();
};

/** Node's fetch says only "fetch failed" and keeps the reason (ECONNREFUSED…) in `cause`; browsers have none. */
export function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}
