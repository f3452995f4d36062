import type { Transport } from '../../../shared/client';
import type { Envelope } from '../../../shared/errors';
import type { BackoffOptions } from './backoff';
import { asEnvelope, codeForStatus, describeError, errorEnvelope } from './rpc-envelope';
import { SseStream } from './sse-stream';

export interface HttpTransportOptions {
  token: string;
  /** Origin (and path prefix) of the server; '' means the page's own origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  backoff?: BackoffOptions;
  random?: () => number;
  log?: (message: string) => void;
}

/** The headless transport: RPC as POST /api/rpc/<method>, events as server-sent events over fetch(). */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const baseUrl = options.baseUrl ?? '';
  // Bound so a browser's fetch isn't called with a foreign `this`.
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const auth = { Authorization: `Bearer ${options.token}` };

  const events = new SseStream({
    url: (topics) => `${baseUrl}/api/events?topics=${topics}`,
    headers: auth,
    fetch: doFetch,
    ...(options.backoff ? { backoff: options.backoff } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.log ? { log: options.log } : {}),
  });

  async function invoke(method: string, input: unknown): Promise<Envelope<unknown>> {
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}/api/rpc/${encodeURIComponent(method)}`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(input ?? {}),
      });
    } catch (err) {
      return errorEnvelope('UNAVAILABLE', `Cannot reach the Orrery server: ${describeError(err)}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (err) {
      // The server sends an envelope even on errors; a body that isn't one came from something else.
      if (response.ok) return errorEnvelope('INTERNAL', `The server's answer to ${method} was not JSON: ${describeError(err)}`);
      return errorEnvelope(codeForStatus(response.status), `HTTP ${response.status} ${response.statusText}`.trim());
    }
    return (
      asEnvelope(body) ??
      errorEnvelope(response.ok ? 'INTERNAL' : codeForStatus(response.status), `Malformed answer to ${method} (HTTP ${response.status})`)
    );
  }

  return {
    invoke,
    subscribe: (topic, listener) => events.subscribe(topic, listener),
  };
}
