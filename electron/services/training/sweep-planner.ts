import { randomInt } from 'node:crypto';
import type { SweepSpec } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';

/**
 * Turns a sweep's search space into the hyperparameters of each trial.
 *
 * - grid: the cartesian product of every parameter's values, in a stable order: parameters in the
 *   order the space lists them, the last one varying fastest (like Python's itertools.product).
 *   Lists are used as given; ranges need a `step` and give min, min+step, … up to max (integer
 *   ranges give integers, float values are rounded to 12 significant digits so 0.1 steps read
 *   0.3, not 0.30000000000000004). logUniform has no grid. A grid larger than maxTrials runs its
 *   first maxTrials combinations (planSweep says so); one over 1,000,000 combinations is refused.
 * - random: maxTrials independent samples from a seeded PRNG (mulberry32), so the same space and
 *   seed always give the same trials. A sweep that names no seed gets a freshly drawn one (so two
 *   such sweeps sample different points); the plan reports it, to record and reproduce the sweep. Lists: uniform choice. Ranges: uniform (integer ranges give
 *   integers, a step snaps to its grid). logUniform: exp(uniform(ln min, ln max)).
 */

export type TrialValue = string | number | boolean;
export type TrialParams = Record<string, TrialValue>;

/** The largest grid planned; bigger ones are refused before anything is expanded. */
export const MAX_GRID_COMBINATIONS = 1_000_000;
/** Seeds drawn for sweeps that name none: positive and below 2^31, short enough to retype. */
export const MAX_DRAWN_SEED = 2 ** 31 - 1;

/** A fresh seed for a random sweep whose spec names none. */
export function drawSweepSeed(): number {
  return randomInt(1, MAX_DRAWN_SEED + 1);
}

export interface SweepPlan {
  strategy: 'grid' | 'random';
  trials: TrialParams[];
  /** Grid: how many combinations the space has (before truncation to maxTrials). Random: null. */
  combinations: number | null;
  /** True when a grid had more combinations than maxTrials and only the first maxTrials run. */
  truncated: boolean;
  /** The seed a random sweep used (record it to reproduce the sweep); null for a grid. */
  seed: number | null;
  /** A line to show the user, e.g. "grid has 48 combinations, maxTrials 20: running the first 20". */
  warning?: string;
}

export interface PlanOptions {
  /** The seed of a random sweep whose spec has no `seed`; drawn by drawSeed when left out. */
  defaultSeed?: number;
  /** Draws a seed when neither the spec nor defaultSeed gives one; drawSweepSeed by default. */
  drawSeed?: () => number;
}

/** One parameter, normalised: a finite set of values, or a continuous distribution (random only). */
type Dimension =
  | { kind: 'list'; values: readonly TrialValue[] }
  | { kind: 'steps'; start: number; step: number; count: number; integer: boolean; max: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'logUniform'; min: number; max: number };

type Strategy = 'grid' | 'random';

function refuse(path: string, problem: string): OrreryError {
  return new OrreryError('INVALID_INPUT', `${path}: ${problem}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return Number.isFinite(value);
}

/** 12 significant digits: hides the last-bit noise of min + i*step without changing real values. */
function round12(value: number): number {
  return Number(value.toPrecision(12));
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function formatCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'more than 1e308';
}

function readStrategy(sweep: SweepSpec): Strategy {
  const strategy: unknown = (sweep as { strategy?: unknown }).strategy;
  if (strategy !== 'grid' && strategy !== 'random') {
    throw refuse('sweep.strategy', `must be "grid" or "random", got ${JSON.stringify(strategy)}`);
  }
  return strategy;
}

function readMaxTrials(sweep: SweepSpec): number {
  const maxTrials: unknown = (sweep as { maxTrials?: unknown }).maxTrials;
  if (maxTrials === undefined) return 20; // the schema's default, for a spec that was not parsed
  if (typeof maxTrials !== 'number' || !Number.isInteger(maxTrials) || maxTrials < 1) {
    throw refuse('sweep.maxTrials', `must be a whole number of at least 1, got ${JSON.stringify(maxTrials)}`);
  }
  return maxTrials;
}

function readSpace(sweep: SweepSpec, strategy: Strategy): Array<[string, Dimension]> {
  const space: unknown = (sweep as { space?: unknown }).space;
  if (!isRecord(space)) throw refuse('sweep.space', 'must be an object of parameter name to search space');
  const names = Object.keys(space);
  if (names.length === 0) throw refuse('sweep.space', 'must have at least one parameter');
  return names.map((name) => {
    if (name === '') throw refuse('sweep.space', 'parameter names must not be empty');
    return [name, readDimension(`sweep.space.${name}`, space[name], strategy)];
  });
}

function readDimension(path: string, raw: unknown, strategy: Strategy): Dimension {
  if (!isRecord(raw)) throw refuse(path, 'must be { values: [...] }, { min, max, step? } or { logUniform: { min, max } }');

  if ('values' in raw) {
    const values = raw.values;
    if (!Array.isArray(values)) throw refuse(`${path}.values`, 'must be a list');
    if (values.length === 0) throw refuse(`${path}.values`, 'must list at least one value');
    values.forEach((value: unknown, i) => {
      const ok = typeof value === 'string' || typeof value === 'boolean' || isFiniteNumber(value);
      if (!ok) throw refuse(`${path}.values[${i}]`, `must be a string, a finite number or a boolean, got ${JSON.stringify(value)}`);
    });
    return { kind: 'list', values: values as TrialValue[] };
  }

  if ('logUniform' in raw) {
    if (strategy === 'grid') {
      throw refuse(
        path,
        'logUniform has no grid of values; list the values to try instead (e.g. "values": [0.1, 0.01, 0.001]) or use strategy "random"',
      );
    }
    const log = raw.logUniform;
    if (!isRecord(log)) throw refuse(`${path}.logUniform`, 'must be { min, max }');
    const { min, max } = log;
    if (!isFiniteNumber(min) || min <= 0) throw refuse(`${path}.logUniform.min`, `must be a number above 0, got ${JSON.stringify(min)}`);
    if (!isFiniteNumber(max) || max <= 0) throw refuse(`${path}.logUniform.max`, `must be a number above 0, got ${JSON.stringify(max)}`);
    if (min > max) throw refuse(path, `logUniform min (${min}) must not be above max (${max})`);
    return { kind: 'logUniform', min, max };
  }

  const { min, max, step } = raw;
  const integer = raw.integer === true;
  if (!isFiniteNumber(min)) throw refuse(`${path}.min`, `must be a finite number, got ${JSON.stringify(min)}`);
  if (!isFiniteNumber(max)) throw refuse(`${path}.max`, `must be a finite number, got ${JSON.stringify(max)}`);
  if (min > max) throw refuse(path, `min (${min}) must not be above max (${max})`);
  if (step !== undefined && (!isFiniteNumber(step) || step <= 0)) {
    throw refuse(`${path}.step`, `must be a number above 0, got ${JSON.stringify(step)}`);
  }
  if (step === undefined && strategy === 'grid') {
    throw refuse(path, `a range needs a "step" in a grid sweep (e.g. "step": ${integer ? 1 : 0.1}), or use strategy "random"`);
  }

  if (integer) {
    const start = Math.ceil(min);
    const end = Math.floor(max);
    if (start > end) throw refuse(path, `the integer range ${min}..${max} contains no whole number`);
    const intStep = step ?? 1;
    if (!Number.isInteger(intStep)) throw refuse(`${path}.step`, `an integer range needs a whole-number step, got ${intStep}`);
    return { kind: 'steps', start, step: intStep, count: Math.floor((end - start) / intStep) + 1, integer: true, max: end };
  }
  if (step === undefined) return { kind: 'uniform', min, max };
  // round12 so that (0.3 - 0) / 0.1 = 2.9999999999999996 still counts 0.3 as on the grid.
  return { kind: 'steps', start: min, step, count: Math.floor(round12((max - min) / step)) + 1, integer: false, max };
}

function dimensionSize(dim: Dimension): number {
  switch (dim.kind) {
    case 'list':
      return dim.values.length;
    case 'steps':
      return dim.count;
    default:
      return Number.POSITIVE_INFINITY;
  }
}

function stepValue(dim: Extract<Dimension, { kind: 'steps' }>, i: number): number {
  if (dim.integer) return Math.min(dim.max, dim.start + i * dim.step);
  // min + i*step (never a running sum), so errors do not accumulate along the range.
  return clamp(round12(dim.start + i * dim.step), dim.start, dim.max);
}

function product(dims: ReadonlyArray<[string, Dimension]>): number {
  return dims.reduce((total, [, dim]) => total * dimensionSize(dim), 1);
}

/**
 * How many combinations a grid sweep's space has (before maxTrials), so the caller can warn
 * "grid has 48 combinations, maxTrials 20: running the first 20". Throws what planTrials would for
 * a space that has no grid (a range without step, logUniform); does not refuse large grids.
 */
export function gridSize(sweep: SweepSpec): number {
  return product(readSpace(sweep, 'grid'));
}

/** The trials of a sweep with what the caller should tell the user about them. */
export function planSweep(sweep: SweepSpec, options: PlanOptions = {}): SweepPlan {
  const strategy = readStrategy(sweep);
  const maxTrials = readMaxTrials(sweep);
  const dims = readSpace(sweep, strategy);
  return strategy === 'grid' ? planGrid(dims, maxTrials) : planRandom(sweep, dims, maxTrials, options);
}

/** The hyperparameters of each trial, in the order they should run. */
export function planTrials(sweep: SweepSpec, options: PlanOptions = {}): TrialParams[] {
  return planSweep(sweep, options).trials;
}

function planGrid(dims: ReadonlyArray<[string, Dimension]>, maxTrials: number): SweepPlan {
  const combinations = product(dims);
  if (combinations > MAX_GRID_COMBINATIONS) {
    const sizes = dims.map(([name, dim]) => `${name}: ${formatCount(dimensionSize(dim))}`).join(', ');
    throw refuse(
      'sweep.space',
      `the grid has ${formatCount(combinations)} combinations (${sizes}), more than the ${formatCount(MAX_GRID_COMBINATIONS)} allowed; ` +
        'use fewer values, larger steps or strategy "random"',
    );
  }
  const count = Math.min(combinations, maxTrials);
  const trials: TrialParams[] = [];
  for (let index = 0; index < count; index++) {
    // Mixed-radix decoding of the index: the last parameter varies fastest.
    const trial: TrialParams = {};
    let rest = index;
    for (let d = dims.length - 1; d >= 0; d--) {
      const [name, dim] = dims[d]!;
      const size = dimensionSize(dim);
      const i = rest % size;
      rest = Math.floor(rest / size);
      trial[name] = valueAt(dim, i);
    }
    trials.push(reorder(trial, dims));
  }
  const truncated = combinations > maxTrials;
  const plan: SweepPlan = { strategy: 'grid', trials, combinations, truncated, seed: null };
  if (truncated) plan.warning = `grid has ${formatCount(combinations)} combinations, maxTrials ${maxTrials}: running the first ${maxTrials}`;
  return plan;
}

function valueAt(dim: Dimension, i: number): TrialValue {
  if (dim.kind === 'list') return dim.values[i]!;
  if (dim.kind === 'steps') return stepValue(dim, i);
  // Stryker disable next-line StringLiteral: unreachable, readDimension refuses ranges without a step and logUniform in a grid
  throw new OrreryError('INTERNAL', `a ${dim.kind} parameter has no grid`);
}

/** Keys in the space's order (the grid fills them last-first). */
function reorder(trial: TrialParams, dims: ReadonlyArray<[string, Dimension]>): TrialParams {
  const ordered: TrialParams = {};
  for (const [name] of dims) ordered[name] = trial[name]!;
  return ordered;
}

function planRandom(sweep: SweepSpec, dims: ReadonlyArray<[string, Dimension]>, maxTrials: number, options: PlanOptions): SweepPlan {
  const seed = sweep.seed ?? options.defaultSeed ?? (options.drawSeed ?? drawSweepSeed)();
  if (!Number.isSafeInteger(seed)) {
    const source = sweep.seed !== undefined ? 'sweep.seed' : options.defaultSeed !== undefined ? 'defaultSeed' : 'drawSeed';
    throw refuse(source, `must be a whole number, got ${JSON.stringify(seed)}`);
  }
  const random = mulberry32(seed32(seed));
  const trials: TrialParams[] = [];
  for (let t = 0; t < maxTrials; t++) {
    const trial: TrialParams = {};
    // One draw per parameter per trial, in the space's order: the stream is stable for a given space.
    for (const [name, dim] of dims) trial[name] = sample(dim, random());
    trials.push(trial);
  }
  const plan: SweepPlan = { strategy: 'random', trials, combinations: null, truncated: false, seed };
  const finite = product(dims);
  if (finite < maxTrials) {
    plan.warning = `random search over ${formatCount(finite)} combinations with maxTrials ${maxTrials}: some trials repeat; a grid tries each once`;
  }
  return plan;
}

/** u is a draw of mulberry32, in [0, 1): floor(u * n) is always below n. */
function sample(dim: Dimension, u: number): TrialValue {
  switch (dim.kind) {
    case 'list':
      return dim.values[Math.floor(u * dim.values.length)]!;
    case 'steps':
      return stepValue(dim, Math.floor(u * dim.count));
    case 'uniform':
      return clamp(round12(dim.min + u * (dim.max - dim.min)), dim.min, dim.max);
    case 'logUniform': {
      const lo = Math.log(dim.min);
      const hi = Math.log(dim.max);
      return clamp(round12(Math.exp(lo + u * (hi - lo))), dim.min, dim.max);
    }
  }
}

/** Folds a safe integer into 32 bits without making seeds 1 and 2^32 + 1 the same. */
function seed32(seed: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) | 0;
  return (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
}

/** A small, fast, deterministic PRNG: uniform numbers in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The best trial by the sweep's objective, ignoring trials without a value (null, NaN); null when
 * none has one. Ties go to the earlier trial.
 */
export function bestTrial<T extends { runId: string; value: number | null }>(
  trials: readonly T[],
  mode: 'min' | 'max',
): (T & { value: number }) | null {
  let best: (T & { value: number }) | null = null;
  for (const trial of trials) {
    const value = trial.value;
    if (typeof value !== 'number' || Number.isNaN(value)) continue;
    if (best === null || (mode === 'min' ? value < best.value : value > best.value)) best = trial as T & { value: number };
  }
  return best;
}
