import { ALIAS_NAME, MODEL_NAME } from '../../shared/contract/registry';

/**
 * Reads the values of `orrery deploy` options. Each throws a plain Error whose message starts with
 * the option and says what is wrong ("--steps: must be ascending, got '10,5'."); the caller turns
 * it into a usage error with the subcommand's usage.
 */

function fail(flag: string, problem: string, text: string): never {
  throw new Error(`${flag}: ${problem}, got '${text}'.`);
}

const NUMBER = /^(?:\d+(?:\.\d+)?|\.\d+)$/;

/** A whole number from min to max. */
export function parseCount(flag: string, text: string, min: number, max: number): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) fail(flag, `must be a whole number ${min}–${max}`, text);
  return Number(text);
}

/** A number above 0 (or at least `min` when given), at most `max`. */
export function parsePositive(flag: string, text: string, max: number, min?: number): number {
  const value = NUMBER.test(text) ? Number(text) : NaN;
  if (min === undefined) {
    if (!(value > 0 && value <= max)) fail(flag, `must be a number more than 0 and at most ${max}`, text);
  } else if (!(value >= min && value <= max)) fail(flag, `must be a number ${min}–${max}`, text);
  return value;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DAY_MS = 86_400_000;

/** "500ms", "30s", "2m", "1h" → milliseconds (whole), at most `max` ("24h" by default); "0s" only when `allowZero`. */
export function parseDuration(flag: string, text: string, max: { ms: number; words: string } = { ms: DAY_MS, words: '24h' }, allowZero = true): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!match) fail(flag, 'must be a duration with its unit, like 500ms, 30s or 2m', text);
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  if (!Number.isInteger(ms)) fail(flag, 'must be a whole number of milliseconds', text);
  if (ms === 0 && !allowZero) fail(flag, 'must be more than 0', text);
  if (ms > max.ms) fail(flag, `must be at most ${max.words}`, text);
  return ms;
}

/**
 * A share 0–1, or a percent like "1%". A bare number from 1 up is refused, not read as a share:
 * "--max-error-rate 1" is far more often meant as 1% than as 100%, so the person says which.
 */
export function parseFraction(flag: string, text: string): number {
  const percent = text.endsWith('%');
  const digits = percent ? text.slice(0, -1) : text;
  const number = NUMBER.test(digits) ? Number(digits) : NaN;
  if (!percent && number >= 1 && number <= 100) {
    throw new Error(`${flag}: ${text} would mean ${Number((number * 100).toPrecision(12))}%; write a fraction (${Number((number / 100).toPrecision(12))}) or a percent (${text}%).`);
  }
  const value = number / (percent ? 100 : 1);
  if (!(value >= 0 && value <= 1)) fail(flag, 'must be 0–1 (or a percent like 1%)', text);
  return value;
}

/** A percent 1–100, with or without the "%". */
export function parsePercent(flag: string, text: string): number {
  const digits = text.endsWith('%') ? text.slice(0, -1) : text;
  const value = NUMBER.test(digits) ? Number(digits) : NaN;
  if (!(value >= 1 && value <= 100)) fail(flag, 'must be a percent 1–100', text);
  return value;
}

/** Canary weights: "10,25,50,100", ascending, each 1–100, the last 100. */
export function parseSteps(flag: string, text: string): number[] {
  const parts = text.split(',').map((p) => p.trim().replace(/%$/, ''));
  if (parts.length > 20) fail(flag, 'must be at most 20 steps', text);
  const steps = parts.map((p) => (NUMBER.test(p) ? Number(p) : NaN));
  if (steps.some((s) => Number.isNaN(s))) fail(flag, 'must be percents separated by commas, like 10,25,50,100', text);
  if (steps.some((s) => s < 1 || s > 100)) fail(flag, 'each step must be 1–100', text);
  if (steps.some((s, i) => i > 0 && s <= steps[i - 1]!)) fail(flag, 'must be ascending', text);
  if (steps.at(-1) !== 100) fail(flag, 'must end at 100', text);
  return steps;
}

/** The contract's rule for a deployment name (serving.ts's deploymentName), checked here so a bad one is a usage error. */
const DEPLOYMENT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A deployment's name, for the NAME argument. */
export function parseDeploymentName(label: string, text: string): string {
  if (!DEPLOYMENT_NAME.test(text)) fail(label, "must be 1–63 lowercase letters, digits or '-', starting with a letter or digit", text);
  return text;
}

/** A registered model's name (the registry's rule). */
export function parseModelName(flag: string, text: string): string {
  if (!MODEL_NAME.test(text)) fail(flag, "must start with a letter or digit and contain only letters, digits, '.', '_' or '-' (at most 128)", text);
  return text;
}

/** An alias to move on promotion; "@champion" and "champion" name the same one. */
export function parseAliasName(flag: string, text: string): string {
  const alias = text.replace(/^@/, '');
  if (!ALIAS_NAME.test(alias)) fail(flag, "must contain only letters, digits, '_' or '-'", text);
  return alias;
}

/** A model version: its number, or "@alias" (resolved by Orrery when the deployment or rollout is created). */
export function parseVersionRef(flag: string, text: string): number | string {
  if (/^[1-9]\d{0,8}$/.test(text)) return Number(text);
  if (text.startsWith('@') && ALIAS_NAME.test(text.slice(1))) return text;
  return fail(flag, 'must be a version number (1, 2, …) or @alias', text);
}
