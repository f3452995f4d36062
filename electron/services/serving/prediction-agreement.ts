/**
 * Whether a shadow answered the same as the primary, request by request, and the running tally of
 * it over a shadow rollout.
 *
 * Two predictions are compared leaf by leaf: arrays of the same length and objects with the same
 * keys recurse; numbers are equal when they differ by no more than float noise (1e-9 relative),
 * strings, booleans and null only when identical; anything else (a different length, key set or
 * leaf type) is a different shape: not equal, and no difference to measure. absDiff is the mean
 * absolute difference over the numeric leaves (null when there are none): for a regressor the
 * size of the disagreement, for a classifier with numeric labels the share of changed labels
 * weighted by how far apart they are.
 */
export interface PredictionComparison {
  equal: boolean;
  absDiff: number | null;
}

const DIFFERENT_SHAPE: PredictionComparison = { equal: false, absDiff: null };

interface Walk {
  equal: boolean;
  diffSum: number;
  numbers: number;
}

function sameNumber(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Walks both values together; false when their shapes differ. */
function walk(a: unknown, b: unknown, acc: Walk): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    acc.numbers++;
    acc.diffSum += Math.abs(a - b);
    acc.equal &&= sameNumber(a, b);
    return true;
  }
  // A lone array (against anything else) is no leaf: the last test refuses it.
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => walk(item, b[i], acc));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    // Same number of keys, and each of a's found in b (a key b lacks reads undefined: no leaf).
    return keys.length === Object.keys(b).length && keys.every((k) => walk(a[k], b[k], acc));
  }
  if (!isLeaf(a) || !isLeaf(b) || typeof a !== typeof b) return false;
  acc.equal &&= a === b;
  return true;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON leaf other than a number: a string, a boolean or null (undefined is no answer at all). */
function isLeaf(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'boolean';
}

export function comparePredictions(primary: unknown, shadow: unknown): PredictionComparison {
  const acc: Walk = { equal: true, diffSum: 0, numbers: 0 };
  if (!walk(primary, shadow, acc)) return DIFFERENT_SHAPE;
  return { equal: acc.equal, absDiff: acc.numbers > 0 ? acc.diffSum / acc.numbers : null };
}

/** The `predictions` of an MLflow scoring answer's body; undefined when it is not one. */
export function predictionsOf(body: string | Uint8Array): unknown {
  try {
    const parsed: unknown = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
    return isObject(parsed) && Object.hasOwn(parsed, 'predictions') ? parsed.predictions : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Two scoring answers' bodies compared. An answer that is not MLflow's `{"predictions": …}` reads
 * as undefined, which has the shape of nothing: it never agrees, not even with another such.
 */
export function compareAnswers(primaryBody: string | Uint8Array, shadowBody: string | Uint8Array): PredictionComparison {
  return comparePredictions(predictionsOf(primaryBody), predictionsOf(shadowBody));
}
