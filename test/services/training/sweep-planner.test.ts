import { describe, expect, it } from 'vitest';
import { sweepSchema, type SweepSpec } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';
import { bestTrial, drawSweepSeed, gridSize, MAX_DRAWN_SEED, planSweep, planTrials } from '../../../electron/services/training/sweep-planner';

const objective = { metric: 'val_loss', mode: 'min' as const };

function sweep(input: Record<string, unknown>): SweepSpec {
  return sweepSchema.parse({ objective, ...input });
}

/** What a user reads when a sweep is refused. */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(OrreryError);
    expect((err as OrreryError).code).toBe('INVALID_INPUT');
    return (err as OrreryError).message;
  }
  throw new Error('expected the sweep to be refused');
}

describe('grid sweeps', () => {
  it('lr × batch gives the 6 combinations, the last parameter varying fastest', () => {
    const spec = sweep({ strategy: 'grid', space: { lr: { values: [0.1, 0.01] }, batch: { values: [16, 32, 64] } } });
    expect(planTrials(spec)).toEqual([
      { lr: 0.1, batch: 16 },
      { lr: 0.1, batch: 32 },
      { lr: 0.1, batch: 64 },
      { lr: 0.01, batch: 16 },
      { lr: 0.01, batch: 32 },
      { lr: 0.01, batch: 64 },
    ]);
    expect(gridSize(spec)).toBe(6);
    const plan = planSweep(spec);
    expect(plan).toMatchObject({ strategy: 'grid', combinations: 6, truncated: false, seed: null });
    expect(plan.warning).toBeUndefined();
  });

  it('keeps strings and booleans as given', () => {
    const spec = sweep({ strategy: 'grid', space: { optimizer: { values: ['adam', 'sgd'] }, amp: { values: [true, false] } } });
    expect(planTrials(spec)).toEqual([
      { optimizer: 'adam', amp: true },
      { optimizer: 'adam', amp: false },
      { optimizer: 'sgd', amp: true },
      { optimizer: 'sgd', amp: false },
    ]);
  });

  it('expands float ranges without accumulating error, and includes max when it is on the step', () => {
    const spec = sweep({ strategy: 'grid', space: { dropout: { min: 0, max: 0.5, step: 0.1 } } });
    expect(planTrials(spec).map((t) => t.dropout)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    const off = sweep({ strategy: 'grid', space: { x: { min: 0.1, max: 1, step: 0.3 } } });
    expect(planTrials(off).map((t) => t.x)).toEqual([0.1, 0.4, 0.7, 1]);
    const noisy = sweep({ strategy: 'grid', maxTrials: 100, space: { wd: { min: 0, max: 0.003, step: 0.0001 } } });
    const values = planTrials(noisy).map((t) => t.wd as number);
    expect(values).toHaveLength(31);
    expect(values[3]).toBe(0.0003);
    expect(values.at(-1)).toBe(0.003);
  });

  it('expands integer ranges to integers', () => {
    const spec = sweep({ strategy: 'grid', space: { layers: { min: 2, max: 8, step: 2, integer: true } } });
    expect(planTrials(spec).map((t) => t.layers)).toEqual([2, 4, 6, 8]);
    const loose = sweep({ strategy: 'grid', space: { n: { min: 0.5, max: 4.5, step: 1, integer: true } } });
    expect(planTrials(loose).map((t) => t.n)).toEqual([1, 2, 3, 4]);
  });

  it('runs the first maxTrials combinations of a larger grid, and says so', () => {
    const spec = sweep({
      strategy: 'grid',
      maxTrials: 20,
      space: { lr: { values: [1e-1, 1e-2, 1e-3, 1e-4] }, batch: { values: [16, 32, 64, 128] }, depth: { values: [1, 2, 3] } },
    });
    expect(gridSize(spec)).toBe(48);
    const plan = planSweep(spec);
    expect(plan.trials).toHaveLength(20);
    expect(plan.truncated).toBe(true);
    expect(plan.combinations).toBe(48);
    expect(plan.warning).toBe('grid has 48 combinations, maxTrials 20: running the first 20');
    expect(plan.trials[0]).toEqual({ lr: 0.1, batch: 16, depth: 1 });
    expect(plan.trials[19]).toEqual({ lr: 0.01, batch: 64, depth: 2 });
  });

  it('refuses a range without step and logUniform, naming the parameter', () => {
    expect(refusal(() => planTrials(sweep({ strategy: 'grid', space: { lr: { min: 0.001, max: 0.1 } } })))).toMatch(
      /^sweep\.space\.lr: a range needs a "step" in a grid sweep/,
    );
    expect(refusal(() => planTrials(sweep({ strategy: 'grid', space: { lr: { logUniform: { min: 1e-5, max: 1e-1 } } } })))).toMatch(
      /^sweep\.space\.lr: logUniform has no grid/,
    );
    expect(() => gridSize(sweep({ strategy: 'grid', space: { lr: { logUniform: { min: 1e-5, max: 1e-1 } } } }))).toThrow(/sweep\.space\.lr/);
  });

  it('refuses a grid over a million combinations before expanding it', () => {
    const spec = sweep({
      strategy: 'grid',
      space: { a: { min: 0, max: 999, step: 1 }, b: { min: 0, max: 999, step: 1 }, c: { values: [1, 2] } },
    });
    expect(gridSize(spec)).toBe(2_000_000);
    const started = performance.now();
    expect(refusal(() => planTrials(spec))).toMatch(/^sweep\.space: the grid has 2,000,000 combinations \(a: 1,000, b: 1,000, c: 2\), more than the 1,000,000/);
    expect(performance.now() - started).toBeLessThan(100);
    const huge = sweep({ strategy: 'grid', space: { x: { min: 0, max: 1e12, step: 1e-6 } } });
    expect(refusal(() => planTrials(huge))).toMatch(/more than the 1,000,000 allowed/);
  });

  it('a grid of exactly a million is allowed', () => {
    const spec = sweep({ strategy: 'grid', maxTrials: 3, space: { a: { min: 0, max: 999, step: 1 }, b: { min: 0, max: 999, step: 1 } } });
    expect(planTrials(spec)).toEqual([
      { a: 0, b: 0 },
      { a: 0, b: 1 },
      { a: 0, b: 2 },
    ]);
  });

  it.each([
    { maxTrials: 6, trials: 6, truncated: false, warning: undefined },
    { maxTrials: 5, trials: 5, truncated: true, warning: 'grid has 6 combinations, maxTrials 5: running the first 5' },
    { maxTrials: 1, trials: 1, truncated: true, warning: 'grid has 6 combinations, maxTrials 1: running the first 1' },
  ])('a grid of 6 with maxTrials $maxTrials runs $trials trials', ({ maxTrials, trials, truncated, warning }) => {
    const plan = planSweep(sweep({ strategy: 'grid', maxTrials, space: { lr: { values: [0.1, 0.01] }, batch: { values: [16, 32, 64] } } }));
    expect(plan.trials).toHaveLength(trials);
    expect(plan.trials[0]).toEqual({ lr: 0.1, batch: 16 });
    expect(plan).toMatchObject({ combinations: 6, truncated });
    expect(plan.warning).toBe(warning);
  });

  it('counts the steps of a float range from its min', () => {
    const spec = sweep({ strategy: 'grid', space: { momentum: { min: 0.9, max: 0.99, step: 0.03 } } });
    expect(gridSize(spec)).toBe(4);
    expect(planTrials(spec).map((t) => t.momentum)).toEqual([0.9, 0.93, 0.96, 0.99]);
  });

  it('a range whose min equals its max is that one value', () => {
    const spec = sweep({ strategy: 'grid', space: { dropout: { min: 0.5, max: 0.5, step: 0.1 }, layers: { min: 3, max: 3, step: 1, integer: true } } });
    expect(planTrials(spec)).toEqual([{ dropout: 0.5, layers: 3 }]);
  });

  it('integer ranges keep every digit of large whole numbers', () => {
    const spec = sweep({ strategy: 'grid', space: { dataSeed: { min: 1234567890123, max: 1234567890125, step: 1, integer: true } } });
    expect(planTrials(spec).map((t) => t.dataSeed)).toEqual([1234567890123, 1234567890124, 1234567890125]);
  });

  it('refuses a grid too large to count', () => {
    const spec = sweep({ strategy: 'grid', space: { x: { min: 0, max: 1e308, step: 1e-308 } } });
    expect(refusal(() => planTrials(spec))).toBe(
      'sweep.space: the grid has more than 1e308 combinations (x: more than 1e308), more than the 1,000,000 allowed; ' +
        'use fewer values, larger steps or strategy "random"',
    );
  });
});

describe('random sweeps', () => {
  const space = {
    lr: { logUniform: { min: 1e-5, max: 1e-1 } },
    batch: { values: [16, 32, 64] },
    dropout: { min: 0, max: 0.5 },
    layers: { min: 1, max: 6, integer: true },
    warmup: { min: 0, max: 1, step: 0.25 },
  };

  it('a recorded seed gives the same trials in every version', () => {
    const plan = planSweep(
      sweep({
        strategy: 'random',
        maxTrials: 4,
        seed: 7,
        space: {
          batch: { values: [16, 32, 64, 128] },
          layers: { min: 1, max: 6, integer: true },
          warmup: { min: 0, max: 1, step: 0.25 },
          dropout: { min: 0.1, max: 0.5 },
        },
      }),
    );
    expect(plan).toEqual({
      strategy: 'random',
      combinations: null,
      truncated: false,
      seed: 7,
      trials: [
        { batch: 16, layers: 1, warmup: 1, dropout: 0.379611482285 },
        { batch: 64, layers: 3, warmup: 0.5, dropout: 0.195970074367 },
        { batch: 64, layers: 5, warmup: 0.25, dropout: 0.162379345577 },
        { batch: 128, layers: 4, warmup: 0, dropout: 0.247183437366 },
      ],
    });
  });

  it('the same seed gives the same trials; another seed gives others', () => {
    const a = planTrials(sweep({ strategy: 'random', maxTrials: 10, seed: 7, space }));
    const b = planTrials(sweep({ strategy: 'random', maxTrials: 10, seed: 7, space }));
    const c = planTrials(sweep({ strategy: 'random', maxTrials: 10, seed: 8, space }));
    expect(a).toHaveLength(10);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('seeds far apart in 64-bit space do not collide', () => {
    const a = planTrials(sweep({ strategy: 'random', maxTrials: 5, seed: 1, space }));
    const b = planTrials(sweep({ strategy: 'random', maxTrials: 5, seed: 2 ** 32 + 1, space }));
    expect(b).not.toEqual(a);
  });

  it('draws a fresh seed when the spec names none, and reports it so the sweep can be re-run', () => {
    const spec = sweep({ strategy: 'random', maxTrials: 5, space });
    const first = planSweep(spec);
    const second = planSweep(spec);
    // Two unseeded sweeps sample different points (2^31 seeds: a collision is ~1 in 2 billion).
    expect(first.seed).not.toBe(second.seed);
    expect(second.trials).not.toEqual(first.trials);
    // Passing the reported seed reproduces the sweep.
    expect(planTrials(sweep({ strategy: 'random', maxTrials: 5, seed: first.seed!, space }))).toEqual(first.trials);
    expect(planSweep(spec, { drawSeed: () => 42 }).trials).toEqual(planTrials(sweep({ strategy: 'random', maxTrials: 5, seed: 42, space })));
  });

  it('drawn seeds are positive whole numbers below 2^31', () => {
    for (let i = 0; i < 200; i++) {
      const seed = drawSweepSeed();
      expect(Number.isInteger(seed)).toBe(true);
      expect(seed).toBeGreaterThanOrEqual(1);
      expect(seed).toBeLessThanOrEqual(MAX_DRAWN_SEED);
    }
  });

  it('a seed in the spec or a given default seed wins over drawing one', () => {
    const spec = sweep({ strategy: 'random', maxTrials: 5, space });
    const draw = () => {
      throw new Error('drew a seed although one was given');
    };
    expect(planSweep(sweep({ strategy: 'random', maxTrials: 5, seed: 5, space }), { drawSeed: draw }).seed).toBe(5);
    const plan = planSweep(spec, { defaultSeed: 99, drawSeed: draw });
    expect(plan.seed).toBe(99);
    expect(plan.trials).toEqual(planTrials(sweep({ strategy: 'random', maxTrials: 5, seed: 99, space })));
    expect(planSweep(sweep({ strategy: 'random', seed: 3, space }), { defaultSeed: 99 }).seed).toBe(3);
  });

  it('samples stay in their spaces: choices from lists, integers, steps, bounds', () => {
    const trials = planTrials(sweep({ strategy: 'random', maxTrials: 500, seed: 1, space }));
    expect(trials).toHaveLength(500);
    for (const t of trials) {
      expect(Object.keys(t)).toEqual(['lr', 'batch', 'dropout', 'layers', 'warmup']);
      expect([16, 32, 64]).toContain(t.batch);
      expect(t.dropout).toBeGreaterThanOrEqual(0);
      expect(t.dropout).toBeLessThanOrEqual(0.5);
      expect(Number.isInteger(t.layers)).toBe(true);
      expect([0, 0.25, 0.5, 0.75, 1]).toContain(t.warmup);
    }
    expect(new Set(trials.map((t) => t.batch)).size).toBe(3);
    expect(new Set(trials.map((t) => t.layers))).toEqual(new Set([1, 2, 3, 4, 5, 6]));
    expect(new Set(trials.map((t) => t.warmup)).size).toBe(5);
  });

  it('logUniform samples stay within bounds and spread over every decade', () => {
    const trials = planTrials(sweep({ strategy: 'random', maxTrials: 400, seed: 42, space: { lr: { logUniform: { min: 1e-5, max: 1e-1 } } } }));
    const decades = new Map<number, number>();
    for (const { lr } of trials) {
      expect(typeof lr).toBe('number');
      expect(lr).toBeGreaterThanOrEqual(1e-5);
      expect(lr).toBeLessThanOrEqual(1e-1);
      const decade = Math.floor(Math.log10(lr as number));
      decades.set(decade, (decades.get(decade) ?? 0) + 1);
    }
    // Four decades, 1e-5..1e-1: each gets roughly a quarter (a uniform draw would put 90% in the top one).
    expect([...decades.keys()].sort()).toEqual([-2, -3, -4, -5]);
    for (const count of decades.values()) expect(count).toBeGreaterThan(60);
  });

  it('float ranges spread evenly between min and max, not piling up on a bound', () => {
    const trials = planTrials(sweep({ strategy: 'random', maxTrials: 400, seed: 5, space: { dropout: { min: 0.1, max: 0.3 } } }));
    const quarters = [0, 0, 0, 0];
    for (const { dropout } of trials) {
      expect(dropout).toBeGreaterThanOrEqual(0.1);
      expect(dropout).toBeLessThanOrEqual(0.3);
      quarters[Math.min(3, Math.floor(((dropout as number) - 0.1) / 0.05))]! += 1;
    }
    for (const count of quarters) expect(count).toBeGreaterThan(80);
    expect(new Set(trials.map((t) => t.dropout)).size).toBe(400);
  });

  it('a logUniform whose min equals its max always gives that value', () => {
    const trials = planTrials(sweep({ strategy: 'random', maxTrials: 5, seed: 5, space: { lr: { logUniform: { min: 0.01, max: 0.01 } } } }));
    expect(trials).toEqual(Array.from({ length: 5 }, () => ({ lr: 0.01 })));
  });

  it('a step on a float range snaps samples to its grid', () => {
    const trials = planTrials(sweep({ strategy: 'random', maxTrials: 50, seed: 3, space: { m: { min: 0.9, max: 0.99, step: 0.03 } } }));
    for (const { m } of trials) expect([0.9, 0.93, 0.96, 0.99]).toContain(m);
  });

  it('warns when a discrete space is smaller than maxTrials', () => {
    const plan = planSweep(sweep({ strategy: 'random', maxTrials: 20, seed: 1, space: { a: { values: [1, 2] }, b: { values: ['x', 'y', 'z'] } } }));
    expect(plan.trials).toHaveLength(20);
    expect(plan.warning).toBe('random search over 6 combinations with maxTrials 20: some trials repeat; a grid tries each once');
    expect(planSweep(sweep({ strategy: 'random', maxTrials: 20, space })).warning).toBeUndefined();
    const exact = planSweep(sweep({ strategy: 'random', maxTrials: 6, seed: 1, space: { a: { values: [1, 2] }, b: { values: ['x', 'y', 'z'] } } }));
    expect(exact.trials).toHaveLength(6);
    expect(exact.warning).toBeUndefined();
  });

  it('refuses a seed that is not a whole number, naming where it came from', () => {
    const raw = { strategy: 'random', maxTrials: 3, maxParallel: 1, objective, space: { a: { values: [1, 2] } } };
    expect(refusal(() => planTrials({ ...raw, seed: 1.5 } as unknown as SweepSpec))).toBe('sweep.seed: must be a whole number, got 1.5');
    expect(refusal(() => planTrials(raw as unknown as SweepSpec, { defaultSeed: 2 ** 53 }))).toBe(
      'defaultSeed: must be a whole number, got 9007199254740992',
    );
    expect(refusal(() => planTrials(raw as unknown as SweepSpec, { drawSeed: () => 0.5 }))).toBe('drawSeed: must be a whole number, got 0.5');
  });
});

describe('validation beyond the schema', () => {
  // Specs built without the schema: what a caller that skipped parsing would pass.
  const raw = (input: Record<string, unknown>) => ({ strategy: 'grid', maxTrials: 20, maxParallel: 1, objective, ...input }) as unknown as SweepSpec;

  it('refuses empty lists and min above max, naming the field', () => {
    expect(refusal(() => planTrials(raw({ space: { lr: { values: [] } } })))).toBe('sweep.space.lr.values: must list at least one value');
    expect(refusal(() => planTrials(raw({ space: { lr: { min: 1, max: 0, step: 0.1 } } })))).toBe('sweep.space.lr: min (1) must not be above max (0)');
    expect(refusal(() => planTrials(raw({ strategy: 'random', space: { lr: { logUniform: { min: 1, max: 0.1 } } } })))).toBe(
      'sweep.space.lr: logUniform min (1) must not be above max (0.1)',
    );
    expect(refusal(() => planTrials(raw({ strategy: 'random', space: { lr: { logUniform: { min: 0, max: 0.1 } } } })))).toMatch(
      /^sweep\.space\.lr\.logUniform\.min: must be a number above 0/,
    );
  });

  it('refuses an empty space, bad steps, non-finite values and integer ranges without integers', () => {
    expect(refusal(() => planTrials(raw({ space: {} })))).toBe('sweep.space: must have at least one parameter');
    expect(refusal(() => planTrials(raw({ space: { lr: { min: 0, max: 1, step: 0 } } })))).toMatch(/^sweep\.space\.lr\.step: must be a number above 0/);
    expect(refusal(() => planTrials(raw({ space: { lr: { values: [0.1, Number.NaN] } } })))).toMatch(/^sweep\.space\.lr\.values\[1\]/);
    expect(refusal(() => planTrials(raw({ space: { n: { min: 1.2, max: 1.8, step: 1, integer: true } } })))).toMatch(/contains no whole number/);
    expect(refusal(() => planTrials(raw({ space: { n: { min: 1, max: 8, step: 0.5, integer: true } } })))).toMatch(
      /^sweep\.space\.n\.step: an integer range needs a whole-number step/,
    );
    expect(refusal(() => planTrials(raw({ maxTrials: 0, space: { a: { values: [1] } } })))).toMatch(/^sweep\.maxTrials/);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown strategy', { strategy: 'bayes', space: { a: { values: [1] } } }, 'sweep.strategy: must be "grid" or "random", got "bayes"'],
    ['maxTrials 0', { maxTrials: 0, space: { a: { values: [1] } } }, 'sweep.maxTrials: must be a whole number of at least 1, got 0'],
    ['maxTrials as text', { maxTrials: '20', space: { a: { values: [1] } } }, 'sweep.maxTrials: must be a whole number of at least 1, got "20"'],
    ['a space that is a list', { space: [{ values: [1] }] }, 'sweep.space: must be an object of parameter name to search space'],
    ['a space that is null', { space: null }, 'sweep.space: must be an object of parameter name to search space'],
    ['a space that is a name', { space: 'lr' }, 'sweep.space: must be an object of parameter name to search space'],
    ['an empty parameter name', { space: { '': { values: [1] } } }, 'sweep.space: parameter names must not be empty'],
    ['a bare number', { space: { lr: 0.1 } }, 'sweep.space.lr: must be { values: [...] }, { min, max, step? } or { logUniform: { min, max } }'],
    ['a bare list', { space: { lr: [0.1, 0.01] } }, 'sweep.space.lr: must be { values: [...] }, { min, max, step? } or { logUniform: { min, max } }'],
    ['values that are not a list', { space: { lr: { values: 0.1 } } }, 'sweep.space.lr.values: must be a list'],
    ['a null value', { space: { opt: { values: ['adam', null] } } }, 'sweep.space.opt.values[1]: must be a string, a finite number or a boolean, got null'],
    ['logUniform as a list', { strategy: 'random', space: { lr: { logUniform: [1e-5, 1e-1] } } }, 'sweep.space.lr.logUniform: must be { min, max }'],
    ['logUniform max 0', { strategy: 'random', space: { lr: { logUniform: { min: 1e-5, max: 0 } } } }, 'sweep.space.lr.logUniform.max: must be a number above 0, got 0'],
    ['a min given as text', { space: { lr: { min: '0', max: 1, step: 0.1 } } }, 'sweep.space.lr.min: must be a finite number, got "0"'],
    ['a max given as text', { space: { lr: { min: 0, max: '1', step: 0.1 } } }, 'sweep.space.lr.max: must be a finite number, got "1"'],
  ])('refuses %s', (_, input, message) => {
    expect(refusal(() => planTrials(raw(input)))).toBe(message);
  });

  it('runs the default 20 trials when a spec that was not parsed leaves maxTrials out', () => {
    const spec = { strategy: 'random', maxParallel: 1, objective, space: { a: { values: [1, 2] } } } as unknown as SweepSpec;
    expect(planTrials(spec)).toHaveLength(20);
  });

  it('the schema itself refuses what it can, with the same meaning', () => {
    expect(sweepSchema.safeParse({ strategy: 'grid', objective, space: { lr: { values: [] } } }).success).toBe(false);
    expect(sweepSchema.safeParse({ strategy: 'grid', objective, space: { lr: { min: 1, max: 0 } } }).success).toBe(false);
  });
});

describe('bestTrial', () => {
  const trials = [
    { runId: 'a', value: 0.5 },
    { runId: 'b', value: null },
    { runId: 'c', value: 0.2 },
    { runId: 'd', value: Number.NaN },
    { runId: 'e', value: 0.9 },
    { runId: 'f', value: 0.2 },
    { runId: 'g', value: 0.9 },
  ];

  it('picks the lowest for min and the highest for max, ignoring null and NaN; ties go to the earlier trial', () => {
    expect(bestTrial(trials, 'min')).toEqual({ runId: 'c', value: 0.2 });
    expect(bestTrial(trials, 'max')).toEqual({ runId: 'e', value: 0.9 });
  });

  it('is null when no trial has a value', () => {
    expect(bestTrial([], 'min')).toBeNull();
    expect(bestTrial([{ runId: 'a', value: null }, { runId: 'b', value: Number.NaN }], 'max')).toBeNull();
  });

  it('returns the caller’s own object, extra fields included', () => {
    const rows = [{ runId: 'x', value: 3, trial: 0 }, { runId: 'y', value: 1, trial: 1 }];
    expect(bestTrial(rows, 'min')).toBe(rows[1]);
  });
});
