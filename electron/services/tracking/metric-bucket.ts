import type { MetricBuckets } from '../../../shared/contract/tracking';
import { toMetricValue } from './metric-value';

/** Running aggregate of points in one bucket: count, step range, min and max (NaN ignored), last. */
export class BucketAggregate {
  count = 0;
  firstStep = Number.POSITIVE_INFINITY;
  lastStep = Number.NEGATIVE_INFINITY;
  min: number | null = null;
  minStep: number | null = null;
  max: number | null = null;
  maxStep: number | null = null;
  lastValue = Number.NaN;
  lastTimestamp = Number.NEGATIVE_INFINITY;

  add(step: number, timestamp: number, value: number): void {
    this.count++;
    this.firstStep = Math.min(this.firstStep, step);
    if (step > this.lastStep || (step === this.lastStep && timestamp >= this.lastTimestamp)) {
      this.lastStep = step;
      this.lastTimestamp = timestamp;
      this.lastValue = value;
    }
    if (Number.isNaN(value)) return;
    if (this.min === null || value < this.min) {
      this.min = value;
      this.minStep = step;
    }
    if (this.max === null || value > this.max) {
      this.max = value;
      this.maxStep = step;
    }
  }

  merge(other: BucketAggregate): void {
    this.count += other.count;
    this.firstStep = Math.min(this.firstStep, other.firstStep);
    if (other.lastStep > this.lastStep || (other.lastStep === this.lastStep && other.lastTimestamp >= this.lastTimestamp)) {
      this.lastStep = other.lastStep;
      this.lastTimestamp = other.lastTimestamp;
      this.lastValue = other.lastValue;
    }
    if (other.min !== null && (this.min === null || other.min < this.min)) {
      this.min = other.min;
      this.minStep = other.minStep;
    }
    if (other.max !== null && (this.max === null || other.max > this.max)) {
      this.max = other.max;
      this.maxStep = other.maxStep;
    }
  }

  /** Appends this aggregate as the next bucket of `columns`. */
  appendTo(columns: MetricBuckets): void {
    columns.stepStart.push(this.firstStep);
    columns.stepEnd.push(this.lastStep);
    columns.count.push(this.count);
    columns.min.push(this.min === null ? null : toMetricValue(this.min));
    columns.minStep.push(this.minStep);
    columns.max.push(this.max === null ? null : toMetricValue(this.max));
    columns.maxStep.push(this.maxStep);
    columns.last.push(toMetricValue(this.lastValue));
    columns.lastStep.push(this.lastStep);
    columns.lastTimestamp.push(this.lastTimestamp);
  }
}

export function emptyBuckets(): MetricBuckets {
  return { stepStart: [], stepEnd: [], count: [], min: [], minStep: [], max: [], maxStep: [], last: [], lastStep: [], lastTimestamp: [] };
}
