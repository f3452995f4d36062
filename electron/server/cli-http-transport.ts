import type { Transport } from '../../shared/client';
import { isErrorCode, type Envelope, type ErrorCode } from '../../shared/errors';

/**
 * The command line's way to a running Orrery: RPC as POST /api/rpc/<method> with the token from
 * server.json, events as server-sent events from /api/events.
 */
export function createCliHttpTransport(url: string, token: string): Transport {
  const auth = { Authorization: `Bearer ${token}` };
  return {
    async invoke(method, input): Promise<Envelope<unknown>> {
      let response: Response;
      try {
        response = await fetch(`${url}/api/rpc/${encodeURIComponent(method)}`, {
          method: 'POST',
          headers: { ...auth, 'Content-Type': 'application/json' },
          body: JSON.stringify(input ?? {}),
        });
      } catch (error) {
        return failure('UNAVAILABLE', `The Orrery at ${url} stopped answering (${describe(error)}).`);
      }
      const text = await response.text();
      try {
        const body = JSON.parse(text) as Envelope<unknown>;
        if (body.ok === true) return body;
        if (body.ok === false && typeof body.error?.message === 'string') {
          return failure(isErrorCode(body.error.code) ? body.error.code : 'INTERNAL', body.error.message);
        }
      } catch {
        // Not an envelope: reported below.
      }
      return failure('INTERNAL', `The Orrery at ${url} answered ${method} with HTTP ${response.status} and no result: ${text.slice(0, 200)}`);
    },
    subscribe(topic, listener) {
      const controller = new AbortController();
      void readEvents(`${url}/api/events?topics=${encodeURIComponent(topic)}`, auth, controller.signal, listener).catch(() => undefined);
      return () => controller.abort();
    },
  };
}

/** A minimal server-sent events reader: each `data:` block is one JSON payload. */
async function readEvents(url: string, headers: Record<string, string>, signal: AbortSignal, listener: (payload: unknown) => void): Promise<void> {
  const response = await fetch(url, { headers, signal });
  if (!response.ok || !response.body) return;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      if (data) listener(JSON.parse(data));
    }
  }
}

function failure(code: ErrorCode, message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
