import { describe, expect, it } from 'vitest';
import type { HardwareSample } from '../../../shared/contract/hardware';
import { EventBus } from '../../../electron/services/events/event-bus';
import { HardwareSampler } from '../../../electron/services/hardware/hardware-sampler';
import { ManualTimers } from '../../fakes/manual-timers';
import { sampleAt } from '../../fakes/fake-handlers';

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('hardware sampler', () => {
  it('samples only while someone listens, and stops when the last listener leaves', async () => {
    const bus = new EventBus();
    const timers = new ManualTimers();
    let taken = 0;
    const sampler = new HardwareSampler(async () => sampleAt(++taken), bus, 2000, timers);
    await flush();
    expect(taken).toBe(0);

    const received: number[] = [];
    const offA = bus.subscribe('hardware.sample', (s) => received.push(s.at));
    const offB = bus.subscribe('hardware.sample', () => {});
    await flush();
    expect(received).toEqual([1]);
    expect(timers.pending.map((p) => p.ms)).toEqual([2000]);

    timers.fire();
    await flush();
    expect(received).toEqual([1, 2]);

    offA();
    expect(sampler.active).toBe(true);
    offB();
    expect(sampler.active).toBe(false);
    expect(timers.pending).toEqual([]);
    await flush();
    expect(taken).toBe(2);
  });

  it('never overlaps: the next sample is scheduled only after a slow one finishes', async () => {
    const bus = new EventBus();
    const timers = new ManualTimers();
    let finish: (s: HardwareSample) => void = () => {};
    let started = 0;
    new HardwareSampler(
      () => {
        started++;
        return new Promise<HardwareSample>((resolve) => (finish = resolve));
      },
      bus,
      2000,
      timers,
    );
    const off = bus.subscribe('hardware.sample', () => {});
    await flush();
    expect(started).toBe(1);
    expect(timers.pending).toEqual([]); // nothing scheduled while the first is in flight

    // Listener leaves and comes back while the slow sample runs: still only one in flight.
    off();
    const off2 = bus.subscribe('hardware.sample', () => {});
    await flush();
    expect(started).toBe(1);

    finish(sampleAt(1));
    await flush();
    expect(timers.pending).toHaveLength(1);
    off2();
  });
});
