import { afterEach, describe, expect, it, vi } from 'vitest';
import { BoundedSink, type FrameStream } from '../../../electron/services/events/bounded-sink';

/** A stream whose reader never reads: everything written stays queued. */
function stalledStream() {
  const writes: string[] = [];
  const closeListeners: (() => void)[] = [];
  const stream: FrameStream & { writableLength: number; destroyed: boolean; ended: boolean } = {
    writableLength: 0,
    destroyed: false,
    ended: false,
    write(chunk: string) {
      writes.push(chunk);
      stream.writableLength += Buffer.byteLength(chunk);
      return stream.writableLength < 16 * 1024;
    },
    end() {
      stream.ended = true;
    },
    destroy() {
      stream.destroyed = true;
      for (const listener of closeListeners.splice(0)) listener();
    },
    once(_event: 'close', listener: () => void) {
      closeListeners.push(listener);
    },
  };
  return { stream, writes };
}

const FINAL = 'event: resync\ndata: {"reason":"fell-behind"}\n\n';
const frame = (bytes: number) => `data: ${'x'.repeat(bytes - 8)}\n\n`;

afterEach(() => {
  vi.useRealTimers();
});

describe('bounded sink', () => {
  it('queues frames under the cap, then drops the subscriber once with a final frame, never passing the cap', () => {
    vi.useFakeTimers();
    const { stream, writes } = stalledStream();
    const onDrop = vi.fn();
    const sink = new BoundedSink(stream, FINAL, onDrop, { maxQueuedBytes: 10_000, drainGraceMs: 1000 });
    let accepted = 0;
    while (sink.send(frame(1000))) accepted++;
    expect(accepted).toBe(9);
    expect(onDrop).toHaveBeenCalledOnce();
    expect(writes.at(-1)).toBe(FINAL);
    expect(stream.ended).toBe(true);
    expect(stream.writableLength).toBeLessThanOrEqual(10_000);
    // Dropped: nothing more is written, and onDrop is not called again.
    expect(sink.send(frame(10))).toBe(false);
    expect(sink.closed).toBe(true);
    expect(writes).toHaveLength(10);
    expect(onDrop).toHaveBeenCalledOnce();
  });

  it('cuts the connection when the reader has not taken the rest within the grace period', () => {
    vi.useFakeTimers();
    const { stream } = stalledStream();
    const sink = new BoundedSink(stream, FINAL, () => undefined, { maxQueuedBytes: 2000, drainGraceMs: 1000 });
    while (sink.send(frame(500)));
    vi.advanceTimersByTime(999);
    expect(stream.destroyed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(stream.destroyed).toBe(true);
  });

  it('stops the grace timer when the connection closes first', () => {
    vi.useFakeTimers();
    const { stream } = stalledStream();
    const destroy = vi.spyOn(stream, 'destroy');
    const sink = new BoundedSink(stream, FINAL, () => undefined, { maxQueuedBytes: 2000, drainGraceMs: 1000 });
    while (sink.send(frame(500)));
    stream.destroy(); // the reader took everything and went away
    vi.advanceTimersByTime(5000);
    expect(destroy).toHaveBeenCalledOnce();
  });

  it('sends a frame larger than the whole cap when nothing is queued, so one outsized event cannot drop every subscriber', () => {
    const { stream, writes } = stalledStream();
    const onDrop = vi.fn();
    const sink = new BoundedSink(stream, FINAL, onDrop, { maxQueuedBytes: 1000, drainGraceMs: 1000 });
    expect(sink.send(frame(5000))).toBe(true);
    expect(writes).toHaveLength(1);
    expect(onDrop).not.toHaveBeenCalled();
    expect(sink.send(frame(10))).toBe(false); // but nothing more while it waits
    expect(onDrop).toHaveBeenCalledOnce();
  });

  it('writes nothing to a stream that is already gone', () => {
    const { stream, writes } = stalledStream();
    const sink = new BoundedSink(stream, FINAL, () => undefined, { maxQueuedBytes: 1000, drainGraceMs: 1000 });
    stream.destroy();
    expect(sink.send(frame(10))).toBe(false);
    expect(writes).toEqual([]);
  });
});
