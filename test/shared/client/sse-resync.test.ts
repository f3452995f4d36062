import { describe, expect, it, vi } from 'vitest';
import { createClient } from '../../../shared/client';
import type { ResyncEvent } from '../../../shared/contract/index';
import { createHttpTransport } from '../../../shared/client/http-transport';
import { reloadOnResync } from '../../../renderer/src/api/resync';
import { fakeServer, type FakeServer } from '../../fakes/fake-event-server';

function clientFor(server: FakeServer, logs: string[] = []) {
  const transport = createHttpTransport({ token: 'secret', fetch: server.fetch, backoff: { baseMs: 20, maxMs: 80 }, random: () => 0, log: (m) => logs.push(m) });
  return { transport, client: createClient(transport) };
}

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FELL_BEHIND = 'event: resync\ndata: {"reason":"fell-behind"}\n\n';

describe('event stream client: resync after a drop', () => {
  it('on the server\'s resync it stops reading, reconnects with backoff, and reloads once the new stream is open', async () => {
    const server = fakeServer();
    const logs: string[] = [];
    const { client } = clientFor(server, logs);
    const order: string[] = [];
    const fetchCalls = () => server.calls.length;
    const metrics: unknown[] = [];
    client.on('tracking.metrics', (event) => metrics.push(event.runId));
    const reload = vi.fn(() => order.push(`reload after ${fetchCalls()} fetches`));
    reloadOnResync(client, reload);
    await vi.waitFor(() => expect(server.streams).toHaveLength(1));
    // resync is the client's own: the server is only asked for app topics.
    expect(server.calls[0]?.url).toBe('/api/events?topics=tracking.metrics');

    server.streams[0]!.write('event: tracking.metrics\ndata: {"runId":"a","experimentId":"1","latest":[]}\n\n');
    await vi.waitFor(() => expect(metrics).toEqual(['a']));
    const dropped = Date.now();
    server.streams[0]!.write(FELL_BEHIND); // the server leaves the connection open: the client ends it itself
    await vi.waitFor(() => expect(server.streams[0]!.cancelled).toBe(true));

    await vi.waitFor(() => expect(server.streams).toHaveLength(2));
    expect(Date.now() - dropped).toBeGreaterThanOrEqual(9); // backoff: half of baseMs at least
    expect(server.calls[1]?.url).toBe('/api/events?topics=tracking.metrics');
    await vi.waitFor(() => expect(reload).toHaveBeenCalledOnce());
    // Only once the new stream was asked for (and answered): a re-read any earlier could miss events.
    expect(order).toEqual(['reload after 2 fetches']);
    expect(logs.some((m) => m.includes('fell behind'))).toBe(true);

    // The new stream delivers as before, and no further reload comes without another drop.
    server.streams[1]!.write('event: tracking.metrics\ndata: {"runId":"b","experimentId":"1","latest":[]}\n\n');
    await vi.waitFor(() => expect(metrics).toEqual(['a', 'b']));
    await later(50);
    expect(reload).toHaveBeenCalledOnce();
  });

  it('tells listeners why: fell-behind after the server\'s resync, reconnected after any other drop', async () => {
    const server = fakeServer();
    const { client } = clientFor(server);
    const reasons: ResyncEvent['reason'][] = [];
    client.on('training.job', () => undefined);
    client.on('resync', (event) => reasons.push(event.reason));
    await vi.waitFor(() => expect(server.streams).toHaveLength(1));
    server.streams[0]!.end(); // a restart, a network blip
    await vi.waitFor(() => expect(reasons).toEqual(['reconnected']));
    expect(server.streams).toHaveLength(2);
    server.streams[1]!.write(FELL_BEHIND);
    await vi.waitFor(() => expect(reasons).toEqual(['reconnected', 'fell-behind']));
    expect(server.streams).toHaveLength(3);
  });

  it('reloads after a failed first connection once one succeeds, but not on a normal first open or a topic change', async () => {
    let n = 0;
    const server = fakeServer();
    const flaky = fakeServer(async (call) => {
      if (++n === 1) throw new TypeError('Failed to fetch');
      return server.fetch(call.url, call.init);
    });
    const { client } = clientFor(flaky);
    const reload = vi.fn();
    reloadOnResync(client, reload);
    client.on('training.job', () => undefined);
    await vi.waitFor(() => expect(server.streams).toHaveLength(1));
    await vi.waitFor(() => expect(reload).toHaveBeenCalledOnce());

    const quiet = fakeServer();
    const other = clientFor(quiet).client;
    const otherReload = vi.fn();
    reloadOnResync(other, otherReload);
    other.on('training.job', () => undefined);
    await vi.waitFor(() => expect(quiet.streams).toHaveLength(1));
    other.on('tracking.run', () => undefined); // the topic set changes: a planned reopen
    await vi.waitFor(() => expect(quiet.streams).toHaveLength(2));
    await later(50);
    expect(otherReload).not.toHaveBeenCalled();
  });

  it('opens no stream for resync listeners alone, and forgets a drop once nobody listens', async () => {
    const server = fakeServer();
    const { client } = clientFor(server);
    const reload = vi.fn();
    reloadOnResync(client, reload);
    await later(30);
    expect(server.calls).toHaveLength(0);

    const off = client.on('training.job', () => undefined);
    await vi.waitFor(() => expect(server.streams).toHaveLength(1));
    server.streams[0]!.end();
    off(); // the page went away before the stream came back
    await later(100);
    expect(server.streams).toHaveLength(1);
    client.on('training.job', () => undefined); // a new page: it reads fresh data itself
    await vi.waitFor(() => expect(server.streams).toHaveLength(2));
    await later(30);
    expect(reload).not.toHaveBeenCalled();
  });
});
