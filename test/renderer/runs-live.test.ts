import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { followRuns } from '../../renderer/src/pages/experiments/runs-live';
import type { RunsStore } from '../../renderer/src/pages/experiments/runs-store';
import { compareChoice } from '../../renderer/src/pages/experiments/selection';
import { fakeEventClient } from '../fakes/event-client';

function fakeStore() {
  const state = { reload: vi.fn(() => Promise.resolve()), refreshRuns: vi.fn((_ids: readonly string[]) => Promise.resolve()) };
  return { store: { getState: () => state } as unknown as RunsStore, state };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('followRuns', () => {
  it('re-reads changed rows of its experiment in one batch', async () => {
    const { client, emit } = fakeEventClient();
    const { store, state } = fakeStore();
    followRuns(client, store, '1');
    emit('tracking.run', { experimentId: '1', runId: 'a', change: 'updated' });
    emit('tracking.metrics', { experimentId: '1', runId: 'b', latest: [] });
    emit('tracking.metrics', { experimentId: '2', runId: 'c', latest: [] });
    await vi.advanceTimersByTimeAsync(500);
    expect(state.refreshRuns).toHaveBeenCalledTimes(1);
    expect(state.refreshRuns.mock.calls[0]![0]).toEqual(['a', 'b']);
    expect(state.reload).not.toHaveBeenCalled();
  });

  it('re-reads the list for a new run or a resync, and stops on the returned function', async () => {
    const { client, emit, count } = fakeEventClient();
    const { store, state } = fakeStore();
    const stop = followRuns(client, store, '1');
    emit('tracking.metrics', { experimentId: '1', runId: 'b', latest: [] });
    emit('tracking.run', { experimentId: '1', runId: 'n', change: 'created' });
    await vi.advanceTimersByTimeAsync(500);
    expect(state.reload).toHaveBeenCalledTimes(1);
    expect(state.refreshRuns).not.toHaveBeenCalled();
    emit('resync', { reason: 'reconnected' });
    await vi.advanceTimersByTimeAsync(500);
    expect(state.reload).toHaveBeenCalledTimes(2);
    stop();
    expect(count()).toBe(0);
  });
});

describe('compareChoice', () => {
  it('offers Compare for 2 to 100 runs, with their ids in the link', () => {
    expect(compareChoice(new Set(['a'])).enabled).toBe(false);
    const two = compareChoice(new Set(['a', 'b']));
    expect(two).toMatchObject({ enabled: true, href: '#/compare?runs=a,b', ids: ['a', 'b'] });
    const many = compareChoice(new Set(Array.from({ length: 101 }, (_, i) => String(i))));
    expect(many.enabled).toBe(false);
    expect(many.title).toBe('Compare takes at most 100 runs');
  });
});
