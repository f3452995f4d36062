import { OrreryError } from '../../../shared/errors';

/** MLflow's limits and naming rules, with its wording, so clients see what they would from MLflow. */
export const limits = {
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 8000,
  experimentTagValueLength: 5000,
  experimentNameLength: 500,
  runNameLength: 250,
  batchMetrics: 1000,
  batchParams: 100,
  batchTags: 100,
  batchItems: 1000,
} as const;

const VALID_NAME = /^[/\w.\- :]*$/;
const BAD_CHARACTERS =
  'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).';
const INT64_MIN = -9223372036854775808;
const INT64_LIMIT = 9223372036854775808;

export function invalid(message: string): OrreryError {
  return new OrreryError('INVALID_INPUT', message);
}

export function missing(name: string): OrreryError {
  return invalid(`Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`);
}

/** Keys already found valid: training logs the same few keys thousands of times. */
const validKeys = new Set<string>();

/** Metric, param and tag keys: MLflow's characters, no path tricks, at most 250 characters. */
export function validateKey(key: unknown, field: string): string {
  if (typeof key === 'string' && validKeys.has(key)) return key;
  if (typeof key !== 'string' || key === '') throw missing(field);
  if (!VALID_NAME.test(key)) throw invalid(`Invalid value "${key}" for parameter '${field}' supplied: ${BAD_CHARACTERS}`);
  if (key.startsWith('/') || key.split('/').some((part) => part === '..' || part === '.')) {
    throw invalid(`Invalid value "${key}" for parameter '${field}' supplied: names must not be paths that resolve elsewhere.`);
  }
  checkLength(key, limits.keyLength, `${field}`);
  if (validKeys.size < 100_000) validKeys.add(key);
  return key;
}

export function validateStringValue(value: unknown, field: string, max: number): string {
  if (value === undefined || value === null) throw missing(field);
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
  if (text === null) throw invalid(`Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: expected a string.`);
  checkLength(text, max, field);
  return text;
}

function checkLength(text: string, max: number, field: string): void {
  if (text.length > max) {
    throw invalid(`'${field}' had length ${text.length}, which exceeded length limit of ${max}.`);
  }
}

/** Steps and timestamps are 64-bit integers in MLflow's protocol (sent as numbers or strings). */
export function validateInt64(raw: unknown, field: string, fallback?: number): number {
  if (raw === undefined || raw === null || raw === '') {
    if (fallback !== undefined) return fallback;
    throw missing(field);
  }
  const value = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalid(`Invalid value ${JSON.stringify(raw)} for parameter '${field}' supplied: expected a 64-bit integer.`);
  }
  if (value < INT64_MIN || value >= INT64_LIMIT) {
    throw invalid(`Invalid value ${JSON.stringify(raw)} for parameter '${field}' supplied: outside the 64-bit integer range.`);
  }
  return value;
}
