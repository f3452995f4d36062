import type { OrreryClient } from '../../shared/client';

type Call = (method: string, input: never) => Promise<unknown>;

/**
 * A client whose events the test emits and whose calls `call` answers (by default they fail: the
 * code under test gets its loader elsewhere); `count` is how many listeners are still attached.
 */
export function fakeEventClient(call: Call = () => Promise.reject(new Error('not used'))) {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  // Subscriptions not yet carried by the app (see Transport.subscribe's onLive).
  const waiting: Array<() => void> = [];
  const client = {
    call,
    on: (topic: string, listener: (payload: unknown) => void, onLive?: () => void) => {
      const set = listeners.get(topic) ?? new Set();
      set.add(listener);
      listeners.set(topic, set);
      if (onLive) waiting.push(onLive);
      return () => void set.delete(listener);
    },
  } as unknown as OrreryClient;
  /** The app now carries every subscription made so far. */
  const goLive = () => waiting.splice(0).forEach((onLive) => onLive());
  const emit = (topic: string, payload: unknown) => [...(listeners.get(topic) ?? [])].forEach((l) => l(payload));
  const count = () => [...listeners.values()].reduce((n, s) => n + s.size, 0);
  return { client, emit, count, goLive };
}
