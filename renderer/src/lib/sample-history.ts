import type { HardwareSample } from '../../../shared/contract/index';
import { percentOf } from './format';

/** One metric over time, oldest first; null where the value was not reported. */
export type Series = readonly (number | null)[];

/** Rolling window of live samples; every series has the same length so charts line up. */
export interface SampleHistory {
  capacity: number;
  lastAt: number | null;
  cpu: Series;
  memory: Series;
  /** GPU utilisation percent by nvidia-smi index. */
  gpus: Readonly<Record<number, Series>>;
}

export const defaultHistoryCapacity = 60;

export function emptyHistory(capacity: number = defaultHistoryCapacity): SampleHistory {
  return { capacity, lastAt: null, cpu: [], memory: [], gpus: {} };
}

/** Appends to a copy and drops the oldest values beyond capacity (immutable, for zustand/React). */
export function pushCapped<T>(series: readonly T[], value: T, capacity: number): T[] {
  const start = Math.max(0, series.length + 1 - capacity);
  const next = series.slice(start);
  next.push(value);
  return next;
}

/** Adds one sample. Samples not newer than the last one are ignored (a primed sample racing the stream). */
export function appendSample(history: SampleHistory, sample: HardwareSample): SampleHistory {
  if (history.lastAt !== null && sample.at <= history.lastAt) return history;
  const { capacity } = history;
  const length = history.cpu.length;
  const gpus: Record<number, Series> = {};
  const byIndex = new Map(sample.gpus.map((g) => [g.index, g]));
  const indexes = new Set<number>([...Object.keys(history.gpus).map(Number), ...byIndex.keys()]);
  for (const index of indexes) {
    // A GPU seen for the first time is back-filled with nulls to stay aligned with the CPU series.
    const previous = history.gpus[index] ?? new Array<number | null>(length).fill(null);
    gpus[index] = pushCapped(previous, byIndex.get(index)?.utilizationPercent ?? null, capacity);
  }
  return {
    capacity,
    lastAt: sample.at,
    cpu: pushCapped(history.cpu, clampPercent(sample.cpuPercent), capacity),
    memory: pushCapped(history.memory, percentOf(sample.memoryUsedBytes, sample.memoryTotalBytes), capacity),
    gpus,
  };
}

function clampPercent(value: number): number | null {
  return Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : null;
}

/** Left-pads with nulls to `capacity` points so a young series grows in from the right edge. */
export function padSeries(values: Series, capacity: number): (number | null)[] {
  const tail = values.slice(Math.max(0, values.length - capacity));
  return [...new Array<number | null>(capacity - tail.length).fill(null), ...tail];
}
