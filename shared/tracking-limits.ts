import { runStatuses, type RunStatus } from './contract/tracking';
import { invalid, OrreryError } from './errors';

/**
 * MLflow's limits and naming rules, kept by every path in (RPC, MLflow REST, a job's metric lines).
 * Messages name the field as its caller knows it: the contract's name when the service checks,
 * MLflow's when the MLflow adapter does (electron/server/mlflow/, which also words a missing one).
 */
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
  /** Experiment ids in one runs search: each is a bound variable, and SQLite takes 32766. */
  searchExperiments: 1000,
} as const;

const VALID_NAME = /^[/\w.\- :]*$/;
const BAD_CHARACTERS =
  'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).';
/** How much of a bad value an error message repeats: enough to recognise it, never the whole of it. */
const QUOTE_LIMIT = 80;

/** A bad value as error messages show it: JSON, cut to a short prefix with the full length named. */
export function quote(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value.length > QUOTE_LIMIT ? value.slice(0, QUOTE_LIMIT) : value) : (JSON.stringify(value) ?? String(value));
  } catch {
    // Deeply nested or cyclic: the kind is all a message needs.
    text = Array.isArray(value) ? '[…]' : typeof value;
  }
  if (typeof value === 'string' && value.length > QUOTE_LIMIT) return `${text.slice(0, -1)}…" (${value.length} characters)`;
  return text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}… (${text.length} characters)` : text;
}

/** Text repeated in a message as is when short, else its start and its length. */
export function shortText(text: string): string {
  return text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}… (${text.length} characters)` : text;
}

/** A required field left out or empty. */
export function required(field: string): OrreryError {
  return invalid(`'${field}' is required.`);
}

/** MLflow's batch limits and its wording when one is exceeded. */
export function checkBatchLimits(metrics: number, params: number, tags: number): void {
  const over = (count: number, max: number, what: string) => {
    if (count > max) {
      throw invalid(
        `A batch logging request can contain at most ${max} ${what}. Got ${count} ${what}. Please split up ${what} across multiple requests and try again.`,
      );
    }
  };
  over(metrics, limits.batchMetrics, 'metrics');
  over(params, limits.batchParams, 'params');
  over(tags, limits.batchTags, 'tags');
  const total = metrics + params + tags;
  if (total > limits.batchItems) {
    throw invalid(
      `A batch logging request can contain at most ${limits.batchItems} total metrics, params, and tags. Got ${total} items. Please split up the items across multiple requests and try again.`,
    );
  }
}

/** An experiment id: whole digits, sent as a string or a number; returned as its text. */
export function validateExperimentId(raw: unknown, field: string): string {
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (text === undefined || text === null || text === '') throw required(field);
  // MLflow 3.6 answers a non-numeric id with a 500; this is the caller's mistake, so 400.
  if (typeof text !== 'string' || !/^\d{1,18}$/.test(text)) {
    throw invalid(`Invalid value ${quote(raw)} for parameter '${field}' supplied: experiment ids are whole numbers.`);
  }
  return text;
}

/** An experiment's name, trimmed: not blank, at most 500 characters. */
export function validateExperimentName(raw: unknown, field: string): string {
  const text = validateStringValue(raw, field, limits.experimentNameLength).trim();
  if (text === '') throw required(field);
  return text;
}

export function validateRunId(raw: unknown, field: string): string {
  if (raw === undefined || raw === null || raw === '') throw required(field);
  if (typeof raw !== 'string') throw invalid(`Invalid value ${quote(raw)} for parameter '${field}' supplied: expected a string.`);
  return raw;
}

/** One of the run statuses. MLflow 3.6 accepts any string here; a typo would silently keep the old one. */
export function validateRunStatus(raw: unknown, field: string): RunStatus {
  if (typeof raw !== 'string' || !(runStatuses as readonly string[]).includes(raw)) {
    throw invalid(`Invalid value ${quote(raw)} for parameter '${field}' supplied: expected one of ${runStatuses.join(', ')}.`);
  }
  return raw as RunStatus;
}

/** Keys already found valid: training logs the same few keys thousands of times. */
const validKeys = new Set<string>();

/** Metric, param and tag keys: MLflow's characters, no path tricks, at most 250 characters. */
export function validateKey(key: unknown, field: string): string {
  if (typeof key === 'string' && validKeys.has(key)) return key;
  if (typeof key !== 'string' || key === '') throw required(field);
  if (!VALID_NAME.test(key)) throw invalid(`Invalid value ${quote(key)} for parameter '${field}' supplied: ${BAD_CHARACTERS}`);
  if (key.startsWith('/') || key.split('/').some((part) => part === '..' || part === '.')) {
    throw invalid(`Invalid value ${quote(key)} for parameter '${field}' supplied: names must not be paths that resolve elsewhere.`);
  }
  checkLength(key, limits.keyLength, `${field}`);
  if (validKeys.size < 100_000) validKeys.add(key);
  return key;
}

export function validateStringValue(value: unknown, field: string, max: number): string {
  if (value === undefined || value === null) throw required(field);
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
  if (text === null) throw invalid(`Invalid value ${quote(value)} for parameter '${field}' supplied: expected a string.`);
  checkLength(text, max, field);
  return text;
}

function checkLength(text: string, max: number, field: string): void {
  if (text.length > max) {
    throw invalid(`'${field}' had length ${text.length}, which exceeded length limit of ${max}.`);
  }
}

/** The integers a step or timestamp may be: JavaScript's exact range, so no value is silently rounded. */
export const MAX_STEP = Number.MAX_SAFE_INTEGER;

/**
 * Steps and timestamps: 64-bit integers in MLflow's protocol (sent as numbers or strings), held
 * here to ±(2^53 − 1), the range every client and this server represent exactly.
 */
export function validateSafeInteger(raw: unknown, field: string, fallback?: number): number {
  if (raw === undefined || raw === null || raw === '') {
    if (fallback !== undefined) return fallback;
    throw required(field);
  }
  const text = typeof raw === 'string' ? raw.trim() : null;
  const value = text !== null && /^-?\d+$/.test(text) ? Number(text) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalid(`Invalid value ${quote(raw)} for parameter '${field}' supplied: expected an integer.`);
  }
  // A string of digits beyond the exact range reads as a nearby double: compare it exactly.
  const exact = text !== null ? BigInt(text) : null;
  if (!Number.isSafeInteger(value) || (exact !== null && exact !== BigInt(value))) {
    throw invalid(`Invalid value ${quote(raw)} for parameter '${field}' supplied: must be between -${MAX_STEP} and ${MAX_STEP} (2^53 - 1).`);
  }
  return value;
}
