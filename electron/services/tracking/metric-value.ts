import type { MetricValue } from '../../../shared/contract/tracking';

/** Reads a metric value as clients send it: a number, or the protobuf-JSON strings for NaN/±Inf. */
export function parseMetricValue(raw: unknown): number | null {
  if (typeof raw === 'number') return raw;
  if (raw === 'NaN') return Number.NaN;
  if (raw === 'Infinity') return Number.POSITIVE_INFINITY;
  if (raw === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
  return null;
}

/** The JSON-safe form: JSON has no NaN or Infinity, so they travel as strings. */
export function toMetricValue(value: number): MetricValue {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}

/** Stored form: SQLite turns NaN into NULL, so NaN is a flag beside a zero. */
export function storedValue(value: number): { isNan: 0 | 1; value: number } {
  return Number.isNaN(value) ? { isNan: 1, value: 0 } : { isNan: 0, value };
}

export function fromStored(isNan: number, value: number): number {
  return isNan ? Number.NaN : value;
}
