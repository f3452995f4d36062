import { describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../../electron/services/events/event-bus';
import { sampleAt } from '../../fakes/fake-handlers';

describe('event bus', () => {
  it('delivers to subscribers until they unsubscribe, and reports listener counts', () => {
    const bus = new EventBus();
    const counts: number[] = [];
    bus.onListenerCount('hardware.sample', (n) => counts.push(n));
    const got: number[] = [];
    const off = bus.subscribe('hardware.sample', (s) => got.push(s.at));
    bus.publish('hardware.sample', sampleAt(1));
    off();
    off(); // a second call changes nothing
    bus.publish('hardware.sample', sampleAt(2));
    expect(got).toEqual([1]);
    expect(counts).toEqual([1, 0]);
  });

  it('one failing listener does not stop the others', () => {
    const bus = new EventBus();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const good = vi.fn();
    bus.subscribe('hardware.sample', () => {
      throw new Error('socket closed');
    });
    bus.subscribe('hardware.sample', good);
    bus.publish('hardware.sample', sampleAt(3));
    expect(good).toHaveBeenCalledOnce();
  });

  it('numbers events in publication order across topics, also those nobody listens to', () => {
    const bus = new EventBus();
    const seqs: [string, number][] = [];
    bus.subscribe('hardware.sample', (_, seq) => seqs.push(['hardware.sample', seq]));
    bus.subscribe('tracking.metrics', (_, seq) => seqs.push(['tracking.metrics', seq]));
    expect(bus.lastSeq).toBe(0);
    bus.publish('hardware.sample', sampleAt(1));
    bus.publish('tracking.run', { runId: 'r', experimentId: '1', status: 'RUNNING', lifecycleStage: 'active', change: 'created' });
    bus.publish('tracking.metrics', { runId: 'r', experimentId: '1', latest: [] });
    bus.publish('hardware.sample', sampleAt(2));
    expect(seqs).toEqual([['hardware.sample', 1], ['tracking.metrics', 3], ['hardware.sample', 4]]);
    expect(bus.lastSeq).toBe(4);
  });
});
