import type { RolloutSettings } from '../../../shared/contract/serving';
import { invalid } from '../../../shared/errors';

/**
 * The limits and pace of a rollout when the user names none: those `orrery deploy rollout` shows.
 * rolloutSettings() fills a partial set with them and checks every field, so settings read back
 * from the store or typed on the command line are held to the same rules as the RPC schema.
 */
export const DEFAULT_ROLLOUT_SETTINGS: Readonly<RolloutSettings> = Object.freeze({
  steps: [10, 25, 50, 100],
  minRequests: 50,
  intervalMs: 30_000,
  maxErrorRate: 0.01,
  maxP95Ms: null,
  maxP95Factor: 1.5,
  failureLimit: 2,
  shadowShare: 100,
  shadowMinAgreement: null,
  keepWarmMs: 60_000,
});

/** Most canary steps a rollout may have (the contract's limit). */
export const MAX_STEPS = 20;
const DAY_MS = 86_400_000;

function refuse(field: string, problem: string, value: unknown): never {
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value); // NaN, not null
  throw invalid(`settings.${field}: ${problem}, got ${shown}`);
}

function finite(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) refuse(field, 'must be a number', value);
  return value;
}

function wholeBetween(field: string, value: unknown, min: number, max: number): number {
  const n = finite(field, value);
  if (!Number.isInteger(n) || n < min || n > max) refuse(field, `must be a whole number from ${min} to ${max}`, value);
  return n;
}

function between(field: string, value: unknown, min: number, max: number): number {
  const n = finite(field, value);
  if (n < min || n > max) refuse(field, `must be from ${min} to ${max}`, value);
  return n;
}

function checkSteps(value: unknown): number[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_STEPS) {
    refuse('steps', `must be a list of 1 to ${MAX_STEPS} weights in percent`, value);
  }
  const steps = value.map((step, i) => between(`steps[${i}]`, step, 1, 100));
  // steps[i + 1] against steps[i]: the first step not above the one before it.
  const bad = steps.slice(1).findIndex((step, i) => step <= steps[i]!);
  if (bad >= 0) refuse('steps', `must be ascending (step ${bad + 2} is not above step ${bad + 1})`, value);
  if (steps.at(-1) !== 100) refuse('steps', 'must end at 100 (the candidate takes all traffic before it is promoted)', value);
  return steps;
}

/** The defaults, overridden by what is given; throws INVALID_INPUT naming the first bad field. */
export function rolloutSettings(partial: Partial<RolloutSettings> = {}): RolloutSettings {
  const given = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<RolloutSettings>;
  const merged = { ...DEFAULT_ROLLOUT_SETTINGS, ...given };
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(DEFAULT_ROLLOUT_SETTINGS, key)) refuse(key, 'is not a rollout setting', (given as Record<string, unknown>)[key]);
  }
  return {
    steps: checkSteps(merged.steps),
    minRequests: wholeBetween('minRequests', merged.minRequests, 1, 1_000_000),
    intervalMs: wholeBetween('intervalMs', merged.intervalMs, 0, DAY_MS),
    maxErrorRate: between('maxErrorRate', merged.maxErrorRate, 0, 1),
    maxP95Ms: merged.maxP95Ms === null ? null : positive('maxP95Ms', merged.maxP95Ms),
    maxP95Factor: between('maxP95Factor', merged.maxP95Factor, 1, 1000),
    failureLimit: wholeBetween('failureLimit', merged.failureLimit, 1, 1000),
    shadowShare: between('shadowShare', merged.shadowShare, 1, 100),
    shadowMinAgreement: merged.shadowMinAgreement === null ? null : between('shadowMinAgreement', merged.shadowMinAgreement, 0, 1),
    keepWarmMs: wholeBetween('keepWarmMs', merged.keepWarmMs, 0, DAY_MS),
  };
}

function positive(field: string, value: unknown): number {
  const n = finite(field, value);
  if (n <= 0) refuse(field, 'must be more than 0 ms, or null for no limit', value);
  return n;
}

/**
 * Candidate requests between two analyses: a fifth of the step's minimum, at least 1. Small enough
 * that a bad candidate is caught a few requests after the minimum (20 → checks at 20, 24, 28 …),
 * large enough that the numbers move between two checks.
 */
export function analysisBatch(settings: Pick<RolloutSettings, 'minRequests'>): number {
  return Math.max(1, Math.ceil(settings.minRequests / 5));
}
