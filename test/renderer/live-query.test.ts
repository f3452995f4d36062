import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunChangedEvent } from '../../shared/contract/index';
import { OrreryError } from '../../shared/errors';
import { createLiveQuery } from '../../renderer/src/lib/live-query';
import { STALE_DEBOUNCE_MS, watchStale } from '../../renderer/src/lib/stale-events';
import { fakeEventClient } from '../fakes/event-client';

/** A loader whose answers the test settles one by one. */
function controlledLoader<T>() {
  const pending: Array<{ resolve(value: T): void; reject(err: unknown): void }> = [];
  const load = vi.fn(() => new Promise<T>((resolve, reject) => pending.push({ resolve, reject })));
  return { load, pending };
}

const run = (experimentId: string, runId = 'r1'): RunChangedEvent => ({ experimentId, runId, change: 'updated' }) as RunChangedEvent;

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('createLiveQuery', () => {
  it('loads on connect: loading, then data', async () => {
    const { client } = fakeEventClient();
    const { load, pending } = controlledLoader<string>();
    const query = createLiveQuery(client, { load });
    expect(query.getState()).toEqual({ data: null, error: null, loading: true, answered: false });
    query.connect();
    expect(load).toHaveBeenCalledTimes(1);
    pending[0]!.resolve('a');
    await vi.waitFor(() => expect(query.getState()).toEqual({ data: 'a', error: null, loading: false, answered: true }));
  });

  it('stays answered through a re-read, so a screen shown for an empty answer is not remounted by it', async () => {
    const { client, emit } = fakeEventClient();
    const { load, pending } = controlledLoader<string | null>();
    const query = createLiveQuery(client, { load, staleOn: { 'tracking.run': true } });
    query.connect();
    pending[0]!.resolve(null);
    await vi.waitFor(() => expect(query.getState()).toEqual({ data: null, error: null, loading: false, answered: true }));
    emit('tracking.run', run('1'));
    await vi.advanceTimersByTimeAsync(STALE_DEBOUNCE_MS);
    expect(load).toHaveBeenCalledTimes(2);
    expect(query.getState()).toEqual({ data: null, error: null, loading: true, answered: true });
  });

  it('coalesces a burst of stale events into one re-read after the debounce', async () => {
    const { client, emit } = fakeEventClient();
    const { load, pending } = controlledLoader<number>();
    const query = createLiveQuery(client, { load, staleOn: { 'tracking.run': true, 'tracking.metrics': true } });
    query.connect();
    pending[0]!.resolve(1);
    for (let i = 0; i < 20; i++) emit(i % 2 ? 'tracking.run' : 'tracking.metrics', run('1'));
    expect(load).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(STALE_DEBOUNCE_MS - 1);
    expect(load).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(load).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(STALE_DEBOUNCE_MS * 3);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('re-reads only for events that pass their test, and on resync', async () => {
    const { client, emit } = fakeEventClient();
    const { load } = controlledLoader<number>();
    const query = createLiveQuery(client, { load, staleOn: { 'tracking.run': (e) => e.experimentId === '7' } });
    query.connect();
    emit('tracking.run', run('8'));
    await vi.advanceTimersByTimeAsync(STALE_DEBOUNCE_MS * 2);
    expect(load).toHaveBeenCalledTimes(1);
    emit('tracking.run', run('7'));
    await vi.advanceTimersByTimeAsync(STALE_DEBOUNCE_MS);
    expect(load).toHaveBeenCalledTimes(2);
    emit('resync', { reason: 'reconnected' });
    await vi.advanceTimersByTimeAsync(STALE_DEBOUNCE_MS);
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('re-reads once when its events start arriving after the first read answered', async () => {
    const { client, goLive } = fakeEventClient();
    const { load, pending } = controlledLoader<number>();
    const query = createLiveQuery(client, { load, staleOn: { 'tracking.run': true, 'training.job': true } });
    query.connect();
    pending[0]!.resolve(1);
    await vi.advanceTimersByTimeAsync(STALE_DEBOUNCE_MS * 2);
    expect(load).toHaveBeenCalledTimes(1);
    goLive(); // an event published between the read and this moment was never sent
    await vi.advanceTimersByTimeAsync(STALE_DEBOUNCE_MS);
    expect(load).toHaveBeenCalledTimes(2);
    pending[1]!.resolve(2);
    await vi.waitFor(() => expect(query.getState().data).toBe(2));
  });

  it('drops an answer that arrives after a newer request started', async () => {
    const { client } = fakeEventClient();
    const { load, pending } = controlledLoader<string>();
    const query = createLiveQuery(client, { load });
    query.connect();
    void query.reload();
    pending[1]!.resolve('new');
    await vi.waitFor(() => expect(query.getState().data).toBe('new'));
    pending[0]!.resolve('old');
    await vi.advanceTimersByTimeAsync(0);
    expect(query.getState()).toEqual({ data: 'new', error: null, loading: false, answered: true });
  });

  it('surfaces an error and keeps the last data; the next answer clears it', async () => {
    const { client } = fakeEventClient();
    const { load, pending } = controlledLoader<string>();
    const query = createLiveQuery(client, { load });
    query.connect();
    pending[0]!.resolve('a');
    await vi.waitFor(() => expect(query.getState().data).toBe('a'));
    void query.reload();
    expect(query.getState().loading).toBe(true);
    pending[1]!.reject(new OrreryError('NOT_FOUND', 'gone'));
    await vi.waitFor(() => expect(query.getState()).toEqual({ data: 'a', error: { code: 'NOT_FOUND', message: 'gone' }, loading: false, answered: true }));
    void query.reload();
    pending[2]!.resolve('b');
    await vi.waitFor(() => expect(query.getState()).toEqual({ data: 'b', error: null, loading: false, answered: true }));
  });

  it('notifies subscribers on each change and stops after they unsubscribe', async () => {
    const { client } = fakeEventClient();
    const { load, pending } = controlledLoader<string>();
    const query = createLiveQuery(client, { load });
    const seen: Array<string | null> = [];
    const off = query.subscribe(() => seen.push(query.getState().data));
    query.connect();
    pending[0]!.resolve('a');
    await vi.waitFor(() => expect(seen).toEqual(['a']));
    off();
    query.setData((d) => `${d}!`);
    expect(seen).toEqual(['a']);
    expect(query.getState().data).toBe('a!');
  });

  it('patches the data at once on a patch event, then re-reads', async () => {
    const { client, emit } = fakeEventClient();
    const { load, pending } = controlledLoader<string[]>();
    const query = createLiveQuery(client, {
      load,
      staleOn: { 'tracking.run': true },
      patch: { 'tracking.run': (data, e) => [...data, e.runId] },
    });
    query.connect();
    pending[0]!.resolve([]);
    await vi.waitFor(() => expect(query.getState().data).toEqual([]));
    emit('tracking.run', run('1', 'x'));
    expect(query.getState().data).toEqual(['x']);
    await vi.advanceTimersByTimeAsync(STALE_DEBOUNCE_MS);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('an answer read before a patch event does not undo it: the patch is applied to it again', async () => {
    const { client, emit } = fakeEventClient();
    const { load, pending } = controlledLoader<string>();
    const query = createLiveQuery(client, { load, patch: { 'tracking.run': (_data, e) => `status ${e.runId}` } });
    query.connect();
    pending[0]!.resolve('status running');
    await vi.waitFor(() => expect(query.getState().data).toBe('status running'));
    void query.reload(); // a re-read on its way (as one started by another event)
    emit('tracking.run', run('1', 'finished')); // the end arrives while it is
    expect(query.getState().data).toBe('status finished');
    pending[1]!.resolve('status running'); // the re-read answers with what it read before the end
    await vi.waitFor(() => expect(load).toHaveBeenCalledTimes(2));
    await Promise.resolve();
    expect(query.getState().data).toBe('status finished');
  });

  it('disconnecting unsubscribes, drops a pending refresh and the answer in flight', async () => {
    const { client, emit, count } = fakeEventClient();
    const { load, pending } = controlledLoader<string>();
    const query = createLiveQuery(client, { load, staleOn: { 'tracking.run': true }, patch: { 'tracking.metrics': (d) => d } });
    const disconnect = query.connect();
    expect(count()).toBe(3); // tracking.run, tracking.metrics (patch), resync
    emit('tracking.run', run('1'));
    disconnect();
    expect(count()).toBe(0);
    await vi.advanceTimersByTimeAsync(STALE_DEBOUNCE_MS * 2);
    expect(load).toHaveBeenCalledTimes(1);
    pending[0]!.resolve('late');
    await vi.advanceTimersByTimeAsync(0);
    expect(query.getState().data).toBeNull();
    disconnect(); // twice is harmless
    // Connecting again (React's strict mode does) loads afresh.
    query.connect();
    pending[1]!.resolve('again');
    await vi.waitFor(() => expect(query.getState().data).toBe('again'));
  });
});

describe('watchStale', () => {
  it('hands over the window’s events and whether a resync came', async () => {
    const { client, emit } = fakeEventClient();
    const flush = vi.fn();
    const stop = watchStale(client, { 'tracking.run': true, 'tracking.metrics': (e) => e.runId !== 'skip' }, flush, 100);
    emit('tracking.run', run('1', 'a'));
    emit('tracking.metrics', { experimentId: '1', runId: 'skip' });
    emit('tracking.metrics', { experimentId: '1', runId: 'b' });
    await vi.advanceTimersByTimeAsync(100);
    expect(flush).toHaveBeenCalledTimes(1);
    expect(flush.mock.calls[0]![0]).toEqual({
      events: [
        { topic: 'tracking.run', payload: run('1', 'a') },
        { topic: 'tracking.metrics', payload: { experimentId: '1', runId: 'b' } },
      ],
      resynced: false,
    });
    emit('resync', { reason: 'fell-behind' });
    await vi.advanceTimersByTimeAsync(100);
    expect(flush.mock.calls[1]![0]).toEqual({ events: [], resynced: true });
    stop();
    emit('tracking.run', run('1'));
    await vi.advanceTimersByTimeAsync(200);
    expect(flush).toHaveBeenCalledTimes(2);
  });
});
