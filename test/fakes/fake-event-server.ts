const encoder = new TextEncoder();

export interface FetchCall {
  url: string;
  init: RequestInit | undefined;
}

/** An open event-stream response the test writes into; it errors like a real one when aborted. */
export function eventStream(signal: AbortSignal | null | undefined) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c), cancel: () => void (cancelled = true) });
  signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
  return {
    response: new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } }),
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
    /** True once the client stopped reading this stream of its own accord. */
    get cancelled() {
      return cancelled;
    },
  };
}

export type FakeStream = ReturnType<typeof eventStream>;

/** A fetch that answers every events request with a stream the test controls (or a scripted reply). */
export function fakeServer(reply?: (call: FetchCall) => Response | Promise<Response>) {
  const calls: FetchCall[] = [];
  const streams: FakeStream[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call = { url: String(input), init };
    calls.push(call);
    if (reply) return reply(call);
    const stream = eventStream(init?.signal);
    streams.push(stream);
    return stream.response;
  };
  return { calls, streams, fetch: fetch as typeof globalThis.fetch };
}

export type FakeServer = ReturnType<typeof fakeServer>;
