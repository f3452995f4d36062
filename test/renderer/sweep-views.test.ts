import { describe, expect, it } from 'vitest';
import { defaultColumns, sameColumns } from '../../renderer/src/pages/experiments/sweep-columns';
import { describeSpace, formatParamNumber, formatTrialValue, isFixedSpace, paramAxis, progressText, spaceKind, trialDuration } from '../../renderer/src/pages/run/sweep-format';

describe('the search space in words', () => {
  it('lists values, ranges with their step, whole-number and log-uniform ranges', () => {
    expect(describeSpace({ values: [0.1, 0.01, 'adam', true] })).toBe('0.1, 0.01, adam, true');
    expect(describeSpace({ min: 1, max: 5, step: 2, integer: true })).toBe('1 to 5, step 2 (whole numbers)');
    // The kind column names the distribution: the words after it do not repeat it.
    expect(describeSpace({ min: 0, max: 0.5, integer: false })).toBe('0 to 0.5');
    expect(describeSpace({ logUniform: { min: 1e-4, max: 0.1 } })).toBe('0.0001 to 0.1');
    expect(describeSpace({ values: [1e-4, 0.001] })).toBe('0.0001, 0.001');
    expect(spaceKind({ values: [1] })).toBe('1 value');
    expect(spaceKind({ values: [1, 2] })).toBe('2 values');
    expect(spaceKind({ logUniform: { min: 1, max: 2 } })).toBe('log-uniform');
    expect(spaceKind({ min: 1, max: 2, integer: false })).toBe('uniform');
  });

  it('writes numbers as people do, not as exponents', () => {
    expect(formatParamNumber(0.0001)).toBe('0.0001');
    expect(formatParamNumber(0.000425512345)).toBe('0.00042551');
    expect(formatParamNumber(20240601)).toBe('20240601');
    expect(formatTrialValue(4.2551e-4)).toBe('0.00042551');
    expect(formatTrialValue('adam')).toBe('adam');
    expect(formatTrialValue(undefined)).toBe('—');
  });

  it('tells a param of one value (fixed, not plotted) from a swept one', () => {
    expect(isFixedSpace({ values: [3] })).toBe(true);
    expect(isFixedSpace({ values: [3, 3] })).toBe(true);
    expect(isFixedSpace({ values: [3, 4] })).toBe(false);
    expect(isFixedSpace({ min: 1, max: 1, integer: true })).toBe(true);
    expect(isFixedSpace({ logUniform: { min: 1e-4, max: 0.1 } })).toBe(false);
    expect(isFixedSpace(undefined)).toBe(false);
  });
});

describe('a trial in the table', () => {
  it('runs from its start to its end, or to now while running; a queued one has no duration', () => {
    expect(trialDuration({ startedAt: 1000, endedAt: 4000 }, 9000)).toBe(3000);
    expect(trialDuration({ startedAt: 1000, endedAt: null }, 9000)).toBe(8000);
    expect(trialDuration({ startedAt: null, endedAt: null }, 9000)).toBeNull();
  });

  it('says how many trials ended until all have', () => {
    const trial = (status: 'queued' | 'running' | 'finished' | 'failed') => ({ status }) as never;
    expect(progressText({ trials: [trial('finished'), trial('running'), trial('queued')] })).toBe('1 of 3 trials ended');
    expect(progressText({ trials: [trial('finished'), trial('failed')] })).toBe('2 trials');
  });
});

describe('a swept param as a scatter axis', () => {
  it('keeps numbers, on a log axis when log-uniform or spanning two decades', () => {
    expect(paramAxis([0.1, 0.3, undefined], { values: [0.1, 0.3] })).toEqual({ xs: [0.1, 0.3, null], categories: null, log: false });
    expect(paramAxis([0.001, 0.05], { logUniform: { min: 1e-3, max: 0.1 } }).log).toBe(true);
    expect(paramAxis([0.001, 0.5], undefined).log).toBe(true);
    // Zero or a negative value cannot go on a log axis.
    expect(paramAxis([0, 0.5, 100], undefined).log).toBe(false);
  });

  it('puts other values on evenly spaced categories in the order the space lists them', () => {
    expect(paramAxis(['sgd', 'adam', 'sgd'], { values: ['adam', 'sgd', 'rmsprop'] })).toEqual({
      xs: [1, 0, 1],
      categories: ['adam', 'sgd', 'rmsprop'],
      log: false,
    });
    expect(paramAxis([true, false, 1], undefined)).toEqual({ xs: [0, 1, 2], categories: ['true', 'false', '1'], log: false });
  });
});

describe('the runs table in a sweep experiment', () => {
  it('shows the swept params, then the objective and the first other metrics, until the user picks columns', () => {
    expect(defaultColumns(['acc', 'loss', 'val_loss', 'f1', 'auc'], { params: ['lr', 'depth'], objectives: ['val_loss'] })).toEqual([
      { kind: 'param', key: 'lr' },
      { kind: 'param', key: 'depth' },
      { kind: 'metric', key: 'val_loss' },
      { kind: 'metric', key: 'acc' },
    ]);
    // An objective no run has logged yet gets no column until it is.
    expect(defaultColumns(['acc'], { params: ['lr'], objectives: ['val_loss'] })).toEqual([
      { kind: 'param', key: 'lr' },
      { kind: 'metric', key: 'acc' },
    ]);
    // No sweep: the first four metrics, as before.
    expect(defaultColumns(['a', 'b', 'c', 'd', 'e'])).toEqual(['a', 'b', 'c', 'd'].map((key) => ({ kind: 'metric', key })));
    expect(defaultColumns([])).toEqual([]);
    // Four params and metrics at most, so the Actions column stays on screen; an objective, and one metric, always show.
    expect(defaultColumns(['acc', 'loss', 'f1', 'auc'], { params: ['a', 'b'], objectives: [] }).map((c) => c.key)).toEqual(['a', 'b', 'acc', 'loss']);
    expect(defaultColumns(['acc', 'loss'], { params: ['a', 'b', 'c', 'd', 'e'], objectives: ['loss'] }).map((c) => c.key)).toEqual(['a', 'b', 'c', 'd', 'e', 'loss']);
    expect(defaultColumns(['acc', 'loss'], { params: ['a', 'b', 'c', 'd'], objectives: [] }).map((c) => c.key)).toEqual(['a', 'b', 'c', 'd', 'acc']);
    // System metrics describe the machine, not the model: never a default column.
    expect(defaultColumns(['system/cpu_percent', 'system/memory_mb', 'acc'], { params: ['lr'], objectives: [] })).toEqual([
      { kind: 'param', key: 'lr' },
      { kind: 'metric', key: 'acc' },
    ]);
  });

  it('tells the same column list apart from another', () => {
    expect(sameColumns([{ kind: 'param', key: 'lr' }], [{ kind: 'param', key: 'lr' }])).toBe(true);
    expect(sameColumns([{ kind: 'param', key: 'lr' }], [{ kind: 'metric', key: 'lr' }])).toBe(false);
    expect(sameColumns([{ kind: 'param', key: 'lr' }], [])).toBe(false);
  });
});
