import type { Transport } from './index';
import type { Envelope } from '../errors';
import type { BackoffOptions } from './backoff';
import { describeNetworkError, pageWording, type CallFailureWording } from './call-failure';
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
  /** How failed calls are worded for whoever reads them; the page's wording by default. */
  wording?: CallFailureWording;
}

/**
 * The transport over HTTP, for the page in a browser and for the command line alike: RPC as
 * POST /api/rpc/<method>, events as server-sent events over fetch(), which both runtimes have.
 */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const baseUrl = options.baseUrl ?? '';
  // Bound so a browser's fetch isn't called with a foreign `this`.
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const wording = options.wording ?? pageWording;
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
      return errorEnvelope('UNAVAILABLE', wording({ kind: 'unreachable', method, detail: describeNetworkError(err) }));
    }
    let text = '';
    let body: unknown;
    let notJson: string | null = null;
    try {
      text = await response.text();
      body = JSON.parse(text);
    } catch (err) {
      notJson = describeError(err);
    }
    // The server sends an envelope even on errors; a body that isn't one came from something else.
    const envelope = notJson === null ? asEnvelope(body) : null;
    if (envelope) return envelope;
    const { ok, status, statusText } = response;
    const code = ok ? 'INTERNAL' : codeForStatus(status);
    return errorEnvelope(code, wording({ kind: 'no-envelope', method, ok, status, statusText, text, notJson }));
  }

  return {
    invoke,
    subscribe: (topic, listener, onLive) => events.subscribe(topic, listener, onLive),
  };
}
