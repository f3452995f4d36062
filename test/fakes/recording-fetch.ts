import type { FetchLike } from '../../electron/services/registry/oci/oci-client';

export interface FetchCall {
  method: string;
  url: string;
  /** Size of the request body (0 for a stream or none). */
  bytes: number;
}

/**
 * The OCI client's HTTP over the real fetch, recording every call. `intercept` sees each call
 * first: it may answer it itself (a Response), throw as the network would, or let it through.
 */
export function recordingFetch(
  intercept?: (call: FetchCall, init?: RequestInit) => Promise<Response | null | void> | void,
): { fetch: FetchLike; calls: FetchCall[] } {
  const calls: FetchCall[] = [];
  return {
    calls,
    fetch: async (input, init) => {
      const body = init?.body;
      const bytes = body instanceof Uint8Array ? body.length : typeof body === 'string' ? Buffer.byteLength(body) : 0;
      const call = { method: init?.method ?? 'GET', url: input, bytes };
      calls.push(call);
      return (await intercept?.(call, init)) ?? fetch(input, init);
    },
  };
}
