import type { MetricBuckets, MetricValue } from './contract/tracking';

/** One bucket of a MetricBuckets table, as an object. */
export interface MetricBucket {
  stepStart: number;
  stepEnd: number;
  count: number;
  min: MetricValue | null;
  minStep: number | null;
  max: MetricValue | null;
  maxStep: number | null;
  last: MetricValue;
  lastStep: number;
  lastTimestamp: number;
}

export function bucketCount(columns: MetricBuckets): number {
  return columns.count.length;
}

export function bucketAt(columns: MetricBuckets, i: number): MetricBucket {
  return {
    stepStart: columns.stepStart[i]!,
    stepEnd: columns.stepEnd[i]!,
    count: columns.count[i]!,
    min: columns.min[i] ?? null,
    minStep: columns.minStep[i] ?? null,
    max: columns.max[i] ?? null,
    maxStep: columns.maxStep[i] ?? null,
    last: columns.last[i]!,
    lastStep: columns.lastStep[i]!,
    lastTimestamp: columns.lastTimestamp[i]!,
  };
}

export function bucketList(columns: MetricBuckets): MetricBucket[] {
  return Array.from({ length: bucketCount(columns) }, (_, i) => bucketAt(columns, i));
}
