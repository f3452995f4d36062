import type { OrreryClient } from '../../shared/client';

/** A client whose events the test emits; its calls fail (the code under test gets its loader elsewhere). */
export function fakeEventClient() {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const client = {
    call: () => Promise.reject(new Error('not used')),
    on: (topic: string, listener: (payload: unknown) => void) => {
      const set = listeners.get(topic) ?? new Set();
      set.add(listener);
      listeners.set(topic, set);
      return () => void set.delete(listener);
    },
  } as unknown as OrreryClient;
  const emit = (topic: string, payload: unknown) => [...(listeners.get(topic) ?? [])].forEach((l) => l(payload));
  const count = () => [...listeners.values()].reduce((n, s) => n + s.size, 0);
  return { client, emit, count };
}
