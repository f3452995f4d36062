import { describe, expect, it } from 'vitest';
import { mapConcurrently, mapInTurns, sortInTurns } from '../../../electron/services/store/event-loop-turns';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('mapInTurns', () => {
  it('does long work a few milliseconds per turn: other callbacks run between turns, results keep their order', async () => {
    let otherRan = false;
    setImmediate(() => (otherRan = true));
    let turns = 0;
    let inTurn = false;
    let outsideTurn = 0;
    const results = await mapInTurns(
      Array.from({ length: 40 }, (_, i) => i),
      (i) => {
        if (!inTurn) outsideTurn++;
        busy(1);
        if (i === 39) expect(otherRan).toBe(true);
        return i * 2;
      },
      (run) => {
        turns++;
        inTurn = true;
        try {
          run();
        } finally {
          inTurn = false;
        }
      },
    );
    expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i * 2));
    // 40 ms of work in turns of about 10 ms: several turns, every item inside one.
    expect(turns).toBeGreaterThan(1);
    expect(outsideTurn).toBe(0);
  });

  it('an error in a turn rejects, and no later item runs', async () => {
    const ran: number[] = [];
    await expect(
      mapInTurns([1, 2, 3], (i) => {
        ran.push(i);
        if (i === 2) throw new Error('refused');
        return i;
      }),
    ).rejects.toThrow('refused');
    expect(ran).toEqual([1, 2]);
  });

  it('nothing to do is an empty answer', async () => {
    expect(await mapInTurns([], () => 1)).toEqual([]);
  });
});

describe('sortInTurns', () => {
  it('sorts as Array.prototype.sort does, stably, for any length around its run size', async () => {
    for (const length of [0, 1, 4095, 4096, 4097, 20_000]) {
      const items = Array.from({ length }, (_, i) => ({ key: (i * 7919) % 1000, i }));
      const byKey = (a: { key: number }, b: { key: number }) => a.key - b.key;
      expect(await sortInTurns(items, byKey)).toEqual([...items].sort(byKey));
    }
  });
});

describe('mapConcurrently', () => {
  it('keeps at most `limit` calls in flight and answers in the items’ order', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapConcurrently(Array.from({ length: 50 }, (_, i) => i), 4, async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, (i * 13) % 5));
      inFlight--;
      return i * 3;
    });
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => i * 3));
    expect(most).toBe(4);
  });
});
