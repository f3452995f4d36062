import path from 'node:path';
import { Cron } from 'croner';
import type { MetricThreshold } from '../pipeline-definition';

/**
 * The small value languages of a pipeline file. Each returns the value, or a message saying what
 * was expected (the caller adds the line and field).
 */

const THRESHOLD = /^\s*(>=|<=|==|>|<)\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

/** `">= 0.9"`, `"< 0.5"`, `"== 1"` for `metric`. */
export function parseThreshold(metric: string, text: string): MetricThreshold | string {
  const match = THRESHOLD.exec(text);
  if (!match) return `must be a comparison and a number, like ">= 0.9" or "< 0.5" (one of >=, >, <=, <, ==); got ${JSON.stringify(text)}`;
  return { metric, op: match[1] as MetricThreshold['op'], value: Number(match[2]) };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
/** An approval may wait up to a year; longer is a typo. */
const MAX_DURATION_MS = 366 * 86_400_000;

/** `"24h"`, `"30m"`, `"1h30m"`, `"2d"`, `"500ms"` → milliseconds (more than 0). */
export function parseDuration(text: string): number | string {
  const expected = `must be a duration with units, like "30m", "24h", "1h30m" or "2d"; got ${JSON.stringify(text)}`;
  const compact = text.replace(/\s+/g, '');
  if (compact === '') return expected;
  PART.lastIndex = 0;
  let ms = 0;
  let end = 0;
  for (let match = PART.exec(compact); match; match = PART.exec(compact)) {
    ms += Number(match[1]) * UNIT_MS[match[2]!]!;
    end = PART.lastIndex;
  }
  if (end !== compact.length) return expected;
  if (!(ms > 0)) return 'must be more than 0';
  if (ms > MAX_DURATION_MS) return 'must be at most 366d';
  return Math.round(ms);
}

/** Null when croner accepts the expression (5 fields, or 6 with seconds, or a nickname like @daily); else why not. */
export function cronProblem(expression: string): string | null {
  try {
    new Cron(expression, { paused: true }).stop();
    return null;
  } catch (error) {
    return `is not a valid cron expression: ${(error as Error).message.replace(/^CronPattern: /, '')}`;
  }
}

/**
 * `REPO:BRANCH` (split at the last colon) → the repository's absolute path (relative to `folder`)
 * and the branch, or a message.
 */
export function parseCommitTarget(text: string, folder: string): { repo: string; branch: string } | string {
  const colon = text.lastIndexOf(':');
  const repo = colon < 0 ? '' : text.slice(0, colon).trim();
  const branch = colon < 0 ? '' : text.slice(colon + 1).trim();
  if (repo === '' || branch === '') return `must be REPO:BRANCH, like "../repo:main"; got ${JSON.stringify(text)}`;
  if (!BRANCH.test(branch) || branch.includes('..') || branch.endsWith('.lock') || branch.endsWith('/') || branch.includes('//')) {
    return `'${branch}' is not a valid git branch name`;
  }
  return { repo: path.resolve(folder, repo), branch };
}

const BRANCH = /^[^\s~^:?*[\\\-.][^\s~^:?*[\\]*$/;
