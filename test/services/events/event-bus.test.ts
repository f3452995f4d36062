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
});
