import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as turn } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openEventStream } from '../../electron/server/event-stream';
import type { SinkLimits } from '../../electron/services/events/bounded-sink';
import { EventBus } from '../../electron/services/events/event-bus';
import { HardwareSampler } from '../../electron/services/hardware/hardware-sampler';
import type { LatestMetric, MetricsLoggedEvent } from '../../shared/contract/index';
import { fullGc, MiB, readingEventClient, stalledEventClient } from '../helpers/event-clients';
import { sampleAt } from '../fakes/fake-handlers';
import { startTestServer, TEST_TOKEN, type TestServer } from '../helpers/test-server';

// About 270 KB of JSON per event: 300 metrics with long names (long strings keep JSON.stringify,
// which the server runs per event, cheap enough to push 512 MiB through in a test).
const latest: LatestMetric[] = Array.from({ length: 300 }, (_, i) => ({
  key: `metric_${String(i).padStart(5, '0')}_${'x'.repeat(840)}`,
  value: i / 7,
  step: 1000 + i,
  timestamp: 1_700_000_000_000 + i,
}));
const metricsEvent = (seq: number): MetricsLoggedEvent => ({ runId: `seq-${seq}`, experimentId: '1', latest });
const EVENT_BYTES = JSON.stringify(metricsEvent(0)).length;
const EVENTS = Math.ceil((512 * MiB) / EVENT_BYTES);

let server: TestServer | null = null;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  await server?.close();
  server = null;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The event route alone on a real HTTP server, with small limits, and every response it opened (to read their queues). */
async function eventServer(limits: SinkLimits) {
  const bus = new EventBus();
  const responses: http.ServerResponse[] = [];
  const httpServer = http.createServer((req, res) => {
    responses.push(res);
    openEventStream(req, res, new URL(req.url ?? '/', 'http://127.0.0.1'), bus, limits);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  );
  return { bus, responses, port: (httpServer.address() as AddressInfo).port };
}

describe('event stream under a subscriber that never reads (the real app)', () => {
  it('keeps server memory bounded, drops the slow subscriber with a resync, and keeps the reading one whole', async () => {
    server = await startTestServer();
    const { bus } = server.running.app;
    const stalled = stalledEventClient(server.running.port, TEST_TOKEN, 'tracking.metrics');
    const reader = readingEventClient(server.running.port, TEST_TOKEN, 'tracking.metrics');
    await reader.opened;
    expect(reader.status).toBe(200);
    await expect.poll(() => bus.listenerCount('tracking.metrics')).toBe(2);

    fullGc();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    let published = 0;
    let sent = 0;
    let droppedAfter: number | null = null;
    let lateRead: ReturnType<typeof stalled.readAll> | null = null;
    for (let seq = 0; seq < EVENTS; seq++) {
      bus.publish('tracking.metrics', metricsEvent(seq));
      published += EVENT_BYTES;
      sent = seq + 1;
      // The reading subscriber keeps up (it shares this thread, so it needs a turn to read).
      await reader.waitFor(sent);
      if (droppedAfter === null && bus.listenerCount('tracking.metrics') === 1) {
        droppedAfter = sent;
        // The stalled one comes back now (within the server's grace period, however slow this
        // machine is), while the rest is published: nothing more is meant for it.
        lateRead = stalled.readAll(60_000);
      }
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      // Without a bound the stalled subscriber keeps everything: stop before the worker dies.
      if (peakRss - before.rss > 384 * MiB) break;
      if (seq % 25 === 0) {
        fullGc(); // heap figures after a full collection show what is retained, not what awaits sweeping
        peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      }
    }
    fullGc();
    const after = process.memoryUsage();
    peakRss = Math.max(peakRss, after.rss);
    peakHeap = Math.max(peakHeap, after.heapUsed);
    const growth = { rssMiB: (peakRss - before.rss) / MiB, heapMiB: (peakHeap - before.heapUsed) / MiB, publishedMiB: published / MiB };
    console.log(
      `[backpressure] published ${growth.publishedMiB.toFixed(0)} MiB in ${sent} events; stalled subscriber dropped after ${droppedAfter}; peak growth: rss ${growth.rssMiB.toFixed(1)} MiB, heap ${growth.heapMiB.toFixed(1)} MiB`,
    );

    expect(growth.rssMiB).toBeLessThan(64);
    expect(growth.heapMiB).toBeLessThan(32);
    expect(published).toBeGreaterThan(500 * MiB);
    // Dropped early (its 2 MiB cap plus what the kernel's socket buffers hold), and unsubscribed at once.
    expect(droppedAfter).not.toBeNull();
    expect(droppedAfter!).toBeLessThan(EVENTS / 8);
    expect(bus.listenerCount('tracking.metrics')).toBe(1);
    // The reading subscriber got every event, in order.
    expect(reader.seqs()).toEqual(Array.from({ length: EVENTS }, (_, i) => i));

    // The stalled one, reading at last, finds a prefix of the events and then a resync, and the end.
    const late = await lateRead!;
    expect(late.ended).toBe(true);
    expect(late.status).toBe('HTTP/1.1 200 OK');
    expect(late.events.at(-1)?.head).toBe('event: resync\ndata: {"reason":"fell-behind"}');
    const seqs = late.events.slice(0, -1).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
    expect(seqs.length).toBeLessThanOrEqual(droppedAfter!);
  }, 120_000);
});

describe('event stream: the per-subscriber cap', () => {
  const limits: SinkLimits = { maxQueuedBytes: 256 * 1024, drainGraceMs: 10_000 };
  // About 18 KB and 64 KB of JSON.
  const small = (seq: number): MetricsLoggedEvent => ({ runId: `seq-${seq}`, experimentId: '1', latest: latest.slice(0, 20) });
  const medium = (seq: number): MetricsLoggedEvent => ({ runId: `seq-${seq}`, experimentId: '1', latest: latest.slice(0, 70) });

  /** Publishes until the stalled subscriber is dropped, noting the most bytes its response ever had queued. */
  async function publishUntilDropped(bus: EventBus, response: () => http.ServerResponse | undefined) {
    let maxQueued = 0;
    let seq = 0;
    while (bus.listenerCount('tracking.metrics') > 0 && seq < 20_000) {
      bus.publish('tracking.metrics', medium(seq++));
      maxQueued = Math.max(maxQueued, response()?.writableLength ?? 0);
      if (seq % 2 === 0) await turn(); // let the socket hand what it can to the kernel, as between real events
    }
    return { maxQueued, published: seq };
  }

  it('never queues more than the cap for a subscriber that stops reading, and drops it (the sampler stops with it)', async () => {
    const { bus, responses, port } = await eventServer(limits);
    let samples = 0;
    const sampler = new HardwareSampler(async () => sampleAt(++samples), bus, 20);
    cleanups.push(() => sampler.dispose());
    const stalled = stalledEventClient(port, 'any', 'tracking.metrics,hardware.sample');
    cleanups.push(() => void stalled.socket.destroy());
    await expect.poll(() => bus.listenerCount('tracking.metrics')).toBe(1);
    expect(sampler.active).toBe(true);

    const { maxQueued, published } = await publishUntilDropped(bus, () => responses[0]);
    expect(bus.listenerCount('tracking.metrics')).toBe(0);
    expect(bus.listenerCount('hardware.sample')).toBe(0); // unsubscribed from every topic at once
    expect(sampler.active).toBe(false);
    expect(maxQueued).toBeGreaterThan(limits.maxQueuedBytes / 2); // it did fill up...
    expect(responses[0]!.writableLength).toBeLessThanOrEqual(limits.maxQueuedBytes); // ...and the final resync fit too
    expect(maxQueued).toBeLessThanOrEqual(limits.maxQueuedBytes);

    // Reading at last: the events up to the drop, in order, then the resync, then the end.
    const late = await stalled.readAll(10_000);
    expect(late.ended).toBe(true);
    const events = late.events.filter((e) => e.name !== 'hardware.sample');
    expect(events.at(-1)?.head).toBe('event: resync\ndata: {"reason":"fell-behind"}');
    const seqs = events.slice(0, -1).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
    expect(seqs.length).toBeLessThan(published);
  });

  it('cuts a dropped subscriber that never reads once the grace period is over', async () => {
    const { bus, responses, port } = await eventServer({ ...limits, drainGraceMs: 200 });
    const stalled = stalledEventClient(port, 'any', 'tracking.metrics');
    cleanups.push(() => void stalled.socket.destroy());
    await expect.poll(() => bus.listenerCount('tracking.metrics')).toBe(1);
    await publishUntilDropped(bus, () => responses[0]);
    const socket = responses[0]!.socket;
    expect(socket?.destroyed).toBe(false); // ended, waiting for the reader
    await vi.waitFor(() => expect(responses[0]!.socket?.destroyed ?? true).toBe(true), { timeout: 3000 });
    expect(socket?.destroyed).toBe(true);
  });

  it('a subscriber that reads keeps its stream, however many events pass', async () => {
    const { bus, responses, port } = await eventServer(limits);
    const reader = readingEventClient(port, 'any', 'tracking.metrics');
    cleanups.push(() => reader.close());
    await reader.opened;
    await expect.poll(() => bus.listenerCount('tracking.metrics')).toBe(1);
    // 36 MB in all, over a hundred times the cap, in bursts of about half the cap between turns
    // (a burst larger than the cap within one tick would drop even a fast reader).
    for (let seq = 0; seq < 2000; seq++) {
      bus.publish('tracking.metrics', small(seq));
      if (seq % 8 === 7) await reader.waitFor(seq + 1);
    }
    await reader.waitFor(2000);
    expect(reader.seqs()).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(bus.listenerCount('tracking.metrics')).toBe(1);
    expect(responses[0]!.writableEnded).toBe(false);
  });
});
