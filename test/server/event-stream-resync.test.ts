import { setImmediate as turn } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../shared/client';
import type { LatestMetric } from '../../shared/contract/index';
import { createHttpTransport } from '../../shared/client/http-transport';
import { reloadOnResync } from '../../renderer/src/api/resync';
import { startTestServer, TEST_TOKEN, type TestServer } from '../helpers/test-server';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** fetch, except that the first event stream's body is not read until `open()`: a page that froze. */
function freezingFetch() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let frozen = false;
  const doFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await fetch(input, init);
    if (frozen || !String(input).includes('/api/events') || !response.body) return response;
    frozen = true;
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await released;
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    }, { highWaterMark: 0 });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return { fetch: doFetch as typeof fetch, thaw: release };
}

const latest: LatestMetric[] = Array.from({ length: 300 }, (_, i) => ({ key: `m${i}_${'x'.repeat(840)}`, value: i, step: i, timestamp: i }));

describe('a page that falls behind (the real server and the renderer\'s client)', () => {
  it('is dropped with a resync, reconnects, reloads, and then receives events again', async () => {
    server = await startTestServer();
    const { bus } = server.running.app;
    const frozen = freezingFetch();
    const logs: string[] = [];
    const client = createClient(
      createHttpTransport({ token: TEST_TOKEN, baseUrl: server.url, fetch: frozen.fetch, backoff: { baseMs: 20, maxMs: 100 }, log: (m) => logs.push(m) }),
    );
    const seen: string[] = [];
    client.on('tracking.metrics', (event) => seen.push(event.runId));
    const reload = vi.fn();
    reloadOnResync(client, reload);
    await expect.poll(() => bus.listenerCount('tracking.metrics')).toBe(1);

    // 270 KB events until the server gives up on the frozen page (2 MiB unsent, beyond what the kernel holds).
    let seq = 0;
    while (bus.listenerCount('tracking.metrics') > 0 && seq < 1000) {
      bus.publish('tracking.metrics', { runId: `seq-${seq++}`, experimentId: '1', latest });
      await turn();
    }
    expect(bus.listenerCount('tracking.metrics')).toBe(0); // dropped, unsubscribed at once
    expect(reload).not.toHaveBeenCalled();

    frozen.thaw();
    await vi.waitFor(() => expect(reload).toHaveBeenCalledOnce(), { timeout: 10_000 });
    expect(bus.listenerCount('tracking.metrics')).toBe(1); // subscribed again before the reload
    // What was queued before the drop arrived in order; the rest is for the reload to read.
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => `seq-${i}`));
    expect(seen.length).toBeLessThan(seq);

    bus.publish('tracking.metrics', { runId: 'after', experimentId: '1', latest: [] });
    await vi.waitFor(() => expect(seen.at(-1)).toBe('after'));
    expect(logs.some((m) => m.includes('fell-behind'))).toBe(true);
  }, 60_000);
});
