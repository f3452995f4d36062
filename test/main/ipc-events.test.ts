import { describe, expect, it, vi } from 'vitest';
import { registerIpcEvents, type IpcEventLimits } from '../../electron/main/ipc-events';
import type { IpcEventLike, IpcMainLike, IpcSender } from '../../electron/main/ipc';
import { createIpcBridge, type IpcRendererLike } from '../../electron/preload/ipc-bridge';
import { EventBus } from '../../electron/services/events/event-bus';
import { HardwareSampler } from '../../electron/services/hardware/hardware-sampler';
import { createClient } from '../../shared/client';
import type { LatestMetric, MetricsLoggedEvent } from '../../shared/contract/index';
import { ipcChannels } from '../../shared/ipc-channels';
import { sampleAt } from '../fakes/fake-handlers';

type Listener = (event: IpcEventLike, ...args: unknown[]) => void;

/**
 * Main's event half and the preload bridge, joined by a pipe the test controls: what main sends
 * waits in `toPage` until pump() hands it to the page (a frozen page never pumps); what the page
 * sends reaches main at once and is logged, in order, in `fromPage`.
 */
function wire(limits: IpcEventLimits) {
  const bus = new EventBus();
  const mainListeners = new Map<string, Listener>();
  const ipcMain: IpcMainLike = { handle: () => undefined, on: (channel, fn) => mainListeners.set(channel, fn) };
  registerIpcEvents(ipcMain, bus, (event) => event.senderFrame?.url === 'orrery://app/index.html', limits);

  const toPage: unknown[][] = [];
  const fromPage: string[] = [];
  const sender: IpcSender = { id: 7, send: (...args) => void toPage.push(args), once: () => undefined };
  const fromApp: IpcEventLike = { senderFrame: { url: 'orrery://app/index.html' }, sender };
  let pageListener: (event: unknown, ...args: unknown[]) => void = () => undefined;
  const ipcRenderer: IpcRendererLike = {
    invoke: async (channel) => {
      fromPage.push(channel);
      return { ok: true, result: [] };
    },
    send: (channel, ...args) => {
      fromPage.push(args.length > 0 && channel !== ipcChannels.eventAck ? `${channel} ${args.join(',')}` : channel);
      mainListeners.get(channel)?.(fromApp, ...args);
    },
    on: (_channel, listener) => (pageListener = listener),
  };
  const newPage = () => createClient(createIpcBridge(ipcRenderer));
  return {
    bus,
    toPage,
    fromPage,
    newPage,
    mainListeners,
    fromApp,
    /** Bytes of event payloads waiting for the page. */
    queuedBytes: () => toPage.reduce((sum, [, , json]) => sum + String(json).length, 0),
    pump() {
      for (let message = toPage.shift(); message; message = toPage.shift()) pageListener({}, ...message.slice(1));
    },
  };
}

const latest: LatestMetric[] = Array.from({ length: 70 }, (_, i) => ({ key: `m${i}_${'x'.repeat(840)}`, value: i, step: i, timestamp: i }));
const metrics = (seq: number): MetricsLoggedEvent => ({ runId: `seq-${seq}`, experimentId: '1', latest }); // about 64 KB
const limits: IpcEventLimits = { maxUnackedBytes: 1024 * 1024 };

describe('IPC events: flow control', () => {
  it('drops a frozen page past the cap (nothing more is sent, the sampler stops), then it subscribes again and re-reads', async () => {
    const pipe = wire(limits);
    const sampler = new HardwareSampler(async () => sampleAt(1), pipe.bus, 60_000);
    const client = pipe.newPage();
    const seen: string[] = [];
    client.on('tracking.metrics', (event) => seen.push(event.runId));
    client.on('hardware.sample', () => undefined);
    const reload = vi.fn(() => void client.call('tracking.searchExperiments', {}));
    client.on('resync', reload);
    expect(pipe.fromPage).toEqual([ipcChannels.eventReset, `${ipcChannels.subscribe} tracking.metrics`, `${ipcChannels.subscribe} hardware.sample`]);
    expect(sampler.active).toBe(true);

    let maxQueued = 0;
    for (let seq = 0; seq < 100; seq++) {
      pipe.bus.publish('tracking.metrics', metrics(seq)); // 6.4 MB in all; the page takes none of it
      maxQueued = Math.max(maxQueued, pipe.queuedBytes());
    }
    expect(maxQueued).toBeLessThanOrEqual(limits.maxUnackedBytes);
    expect(pipe.bus.listenerCount('tracking.metrics')).toBe(0);
    expect(pipe.bus.listenerCount('hardware.sample')).toBe(0);
    expect(sampler.active).toBe(false);
    expect(pipe.toPage.at(-1)).toEqual([ipcChannels.event, 'resync', '{"reason":"fell-behind"}']);
    const queued = pipe.toPage.length - 1;

    pipe.fromPage.length = 0;
    pipe.pump(); // the page thaws
    expect(seen).toEqual(Array.from({ length: queued }, (_, i) => `seq-${i}`));
    expect(reload).toHaveBeenCalledOnce();
    // Subscribed again before the re-read, so the re-read misses nothing.
    const order = pipe.fromPage.filter((m) => m !== ipcChannels.eventAck);
    expect(order).toEqual([`${ipcChannels.subscribe} tracking.metrics`, `${ipcChannels.subscribe} hardware.sample`, 'orrery:rpc:tracking.searchExperiments']);
    expect(pipe.bus.listenerCount('tracking.metrics')).toBe(1);
    expect(sampler.active).toBe(true);
    sampler.dispose();

    pipe.bus.publish('tracking.metrics', metrics(1000));
    pipe.pump();
    expect(seen.at(-1)).toBe('seq-1000');
  });

  it('never drops a page that keeps taking its events, however many pass', () => {
    const pipe = wire(limits);
    const client = pipe.newPage();
    const seen: string[] = [];
    client.on('tracking.metrics', (event) => seen.push(event.runId));
    // 128 MB, 128 times the cap, taken in bursts of half the cap.
    for (let seq = 0; seq < 2000; seq++) {
      pipe.bus.publish('tracking.metrics', metrics(seq));
      if (seq % 8 === 7) pipe.pump();
    }
    pipe.pump();
    expect(seen).toHaveLength(2000);
    expect(pipe.bus.listenerCount('tracking.metrics')).toBe(1);
    expect(pipe.fromPage.filter((m) => m === ipcChannels.eventAck).length).toBeGreaterThan(100); // acknowledged as it went
  });

  it('a reload ends the old page\'s subscriptions, so the sampler stops if the new page does not listen', () => {
    const pipe = wire(limits);
    const sampler = new HardwareSampler(async () => sampleAt(1), pipe.bus, 60_000);
    pipe.newPage().on('hardware.sample', () => undefined);
    expect(sampler.active).toBe(true);
    pipe.newPage(); // same window, new page (its preload runs again)
    expect(pipe.bus.listenerCount('hardware.sample')).toBe(0);
    expect(sampler.active).toBe(false);
    sampler.dispose();
  });

  it('ignores acknowledgements and resets from untrusted frames', () => {
    const pipe = wire({ maxUnackedBytes: 200_000 });
    const client = pipe.newPage();
    client.on('tracking.metrics', () => undefined);
    const evil: IpcEventLike = { senderFrame: { url: 'https://evil.example/' }, sender: pipe.fromApp.sender };
    pipe.mainListeners.get(ipcChannels.eventReset)!(evil);
    expect(pipe.bus.listenerCount('tracking.metrics')).toBe(1);
    for (let seq = 0; seq < 10; seq++) {
      pipe.bus.publish('tracking.metrics', metrics(seq));
      pipe.mainListeners.get(ipcChannels.eventAck)!(evil, Number.MAX_SAFE_INTEGER);
    }
    expect(pipe.bus.listenerCount('tracking.metrics')).toBe(0); // the forged acks kept nothing alive
  });
});
