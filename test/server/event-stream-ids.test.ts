import { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunChangedEvent } from '../../shared/contract/index';
import { createClient } from '../../shared/client';
import { createHttpTransport } from '../../shared/client/http-transport';
import { SseParser, type SseEvent } from '../../shared/client/sse-parser';
import { startTestServer, TEST_TOKEN, type TestServer } from '../helpers/test-server';

let server: TestServer | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = null;
});

/** Reads a stream until `count` events came. */
async function readEvents(body: ReadableStream<Uint8Array>, count: number): Promise<SseEvent[]> {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  const reader = body.getReader();
  const decoder = new TextDecoder();
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    events.push(...parser.push(decoder.decode(value, { stream: true })));
  }
  reader.releaseLock();
  return events;
}

const run = (runId: string): RunChangedEvent => ({ runId, experimentId: '1', status: 'RUNNING', lifecycleStage: 'active', change: 'updated' });

describe('event stream ids (the real server)', () => {
  it('subscribes before it answers, and numbers events in publication order across topics', async () => {
    server = await startTestServer();
    const { bus } = server.running.app;
    const listening = () => bus.listenerCount('tracking.run') + bus.listenerCount('tracking.metrics');
    const before = { listeners: listening(), runListeners: bus.listenerCount('tracking.run'), seq: bus.lastSeq };
    // What the bus had subscribed when each events response wrote its headers.
    const subscribedAtHeaders: number[] = [];
    const writeHead = ServerResponse.prototype.writeHead;
    vi.spyOn(ServerResponse.prototype, 'writeHead').mockImplementation(function (this: ServerResponse, ...args: unknown[]) {
      if (this.req?.url?.startsWith('/api/events')) subscribedAtHeaders.push(listening() - before.listeners);
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    });
    // A producer that sends its current value the moment someone subscribes (as a sampler does):
    // that event comes before the headers are written, and must still reach the stream.
    bus.onListenerCount('tracking.run', (count) => {
      if (count === before.runListeners + 1) bus.publish('tracking.run', run('on-subscribe'));
    });
    bus.publish('tracking.run', run('before')); // nobody listens; it still takes a number

    const controller = new AbortController();
    const res = await fetch(`${server.url}/api/events?topics=tracking.run,tracking.metrics`, {
      headers: { Authorization: `Bearer ${TEST_TOKEN}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(subscribedAtHeaders).toEqual([2]);
    expect(res.headers.get('x-orrery-event-seq')).toBe(String(before.seq + 2)); // "before" and "on-subscribe" came first

    bus.publish('tracking.metrics', { runId: 'm1', experimentId: '1', latest: [] });
    bus.publish('tracking.run', run('r1'));
    bus.publish('tracking.metrics', { runId: 'm2', experimentId: '1', latest: [] });

    const events = await readEvents(res.body!, 4);
    controller.abort();
    const got = events.map((e) => `${e.event}:${(JSON.parse(e.data) as { runId: string }).runId}`);
    expect(got).toEqual(['tracking.run:on-subscribe', 'tracking.metrics:m1', 'tracking.run:r1', 'tracking.metrics:m2']);
    const ids = events.map((e) => Number(e.id));
    expect(ids).toEqual([2, 3, 4, 5].map((n) => before.seq + n)); // "before" took the first number
    expect(bus.lastSeq).toBe(before.seq + 5);
  });

  it('marks on each open stream where a new stream starts, so a client moving between them knows the old one caught up', async () => {
    server = await startTestServer();
    const { bus } = server.running.app;
    const open = (topics: string, signal: AbortSignal) =>
      fetch(`${server!.url}/api/events?topics=${topics}`, { headers: { Authorization: `Bearer ${TEST_TOKEN}` }, signal });
    const controller = new AbortController();
    const first = await open('tracking.run', controller.signal);
    bus.publish('tracking.run', run('r1'));
    const second = await open('tracking.run,tracking.metrics', controller.signal);
    const startsAfter = Number(second.headers.get('x-orrery-event-seq'));
    expect(startsAfter).toBe(bus.lastSeq);
    bus.publish('tracking.run', run('r2'));

    const onFirst = await readEvents(first.body!, 3);
    const onSecond = await readEvents(second.body!, 1);
    controller.abort();
    expect(onFirst.map((e) => [e.event, Number(e.id)])).toEqual([
      ['tracking.run', startsAfter],
      ['seq', startsAfter], // all up to here has been written to this stream
      ['tracking.run', startsAfter + 1],
    ]);
    expect(onSecond.map((e) => [e.event, Number(e.id)])).toEqual([['tracking.run', startsAfter + 1]]);
  });

  it('a client that adds topics while events keep coming gets every event of the topics it had, once and in order', async () => {
    server = await startTestServer();
    const { bus } = server.running.app;
    const client = createClient(createHttpTransport({ token: TEST_TOKEN, baseUrl: server.url }));
    const seen: string[] = [];
    const resyncs: unknown[] = [];
    client.on('tracking.run', (event) => seen.push(event.runId));
    client.on('resync', (event) => resyncs.push(event));
    await expect.poll(() => bus.listenerCount('tracking.run')).toBe(1);
    const published: string[] = [];
    const metrics: string[] = [];
    let offMetrics = () => undefined as void;
    for (let i = 0; i < 120; i++) {
      published.push(`r${i}`);
      bus.publish('tracking.run', run(`r${i}`));
      // A card mounts and later unmounts: each changes the topic set, so the client moves to a new stream.
      if (i % 30 === 10) offMetrics = client.on('tracking.metrics', (event) => metrics.push(event.runId));
      if (i % 30 === 20) bus.publish('tracking.metrics', { runId: `m${i}`, experimentId: '1', latest: [] });
      if (i % 30 === 25) offMetrics();
      await sleep(2);
    }
    await vi.waitFor(() => expect(seen).toHaveLength(published.length), { timeout: 5_000 });
    await sleep(100);
    expect(seen).toEqual(published);
    expect(resyncs).toEqual([]);
    expect(metrics.length).toBeGreaterThan(0); // the new topic's events arrive once its stream is in
  });
});
