/**
 * Work per turn of the event loop: long enough that a transaction per turn costs little, short
 * enough that every other request (the UI's, /api/health) waits no longer than this.
 */
const TURN_BUDGET_MS = 10;

/**
 * `work(item)` for every item, in order, about TURN_BUDGET_MS of it per turn of the event loop.
 * Each turn's items run inside `turn` (a read transaction, say: they then see one moment of the
 * store); later turns may see later writes.
 */
export async function mapInTurns<T, R>(items: readonly T[], work: (item: T) => R, turn: (run: () => void) => void = (run) => run()): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  while (next < items.length) {
    if (next > 0) await new Promise((resolve) => setImmediate(resolve));
    const started = performance.now();
    turn(() => {
      do results.push(work(items[next++]!));
      while (next < items.length && performance.now() - started < TURN_BUDGET_MS);
    });
  }
  return results;
}

/** Items per sorted run: sorting this many takes a few milliseconds. */
const SORT_RUN = 4096;

/**
 * A sorted copy of `items`, a turn of the event loop at a time: runs of SORT_RUN items are sorted
 * one per turn, then merged pairwise, a merge per turn (the last one moves every item once).
 */
export async function sortInTurns<T>(items: readonly T[], compare: (a: T, b: T) => number): Promise<T[]> {
  const starts = Array.from({ length: Math.ceil(items.length / SORT_RUN) }, (_, i) => i * SORT_RUN);
  let runs = await mapInTurns(starts, (start) => items.slice(start, start + SORT_RUN).sort(compare));
  while (runs.length > 1) {
    const pairs = Array.from({ length: Math.ceil(runs.length / 2) }, (_, i) => [runs[2 * i]!, runs[2 * i + 1] ?? []] as const);
    runs = await mapInTurns(pairs, ([a, b]) => merge(a, b, compare));
  }
  return runs[0] ?? [];
}

function merge<T>(a: readonly T[], b: readonly T[], compare: (a: T, b: T) => number): T[] {
  const out: T[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = compare(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/** `work(item)` for every item, at most `limit` at once; results in the items' order. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Resolves on a later turn of the event loop, after the I/O that is waiting (setImmediate). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
