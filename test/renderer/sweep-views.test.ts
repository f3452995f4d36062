import { describe, expect, it } from 'vitest';
import { defaultColumns, sameColumns } from '../../renderer/src/pages/experiments/sweep-columns';
import { describeSpace, paramAxis, progressText, spaceKind, trialDuration } from '../../renderer/src/pages/run/sweep-format';

describe('the search space in words', () => {
  it('lists values, ranges with their step, whole-number and log-uniform ranges', () => {
    expect(describeSpace({ values: [0.1, 0.01, 'adam', true] })).toBe('0.1, 0.01, adam, true');
    expect(describeSpace({ min: 1, max: 5, step: 2, integer: true })).toBe('1 to 5, step 2 (whole numbers)');
    expect(describeSpace({ min: 0, max: 0.5, integer: false })).toBe('uniform 0 to 0.5');
    expect(describeSpace({ logUniform: { min: 1e-4, max: 0.1 } })).toBe('log-uniform 1.000e-4 to 0.1');
    expect(spaceKind({ values: [1] })).toBe('1 value');
    expect(spaceKind({ values: [1, 2] })).toBe('2 values');
    expect(spaceKind({ logUniform: { min: 1, max: 2 } })).toBe('log-uniform');
    expect(spaceKind({ min: 1, max: 2, integer: false })).toBe('range');
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
      { kind: 'metric', key: 'loss' },
      { kind: 'metric', key: 'f1' },
    ]);
    // An objective no run has logged yet gets no column until it is.
    expect(defaultColumns(['acc'], { params: ['lr'], objectives: ['val_loss'] })).toEqual([
      { kind: 'param', key: 'lr' },
      { kind: 'metric', key: 'acc' },
    ]);
    // No sweep: the first four metrics, as before.
    expect(defaultColumns(['a', 'b', 'c', 'd', 'e'])).toEqual(['a', 'b', 'c', 'd'].map((key) => ({ kind: 'metric', key })));
    expect(defaultColumns([])).toEqual([]);
  });

  it('tells the same column list apart from another', () => {
    expect(sameColumns([{ kind: 'param', key: 'lr' }], [{ kind: 'param', key: 'lr' }])).toBe(true);
    expect(sameColumns([{ kind: 'param', key: 'lr' }], [{ kind: 'metric', key: 'lr' }])).toBe(false);
    expect(sameColumns([{ kind: 'param', key: 'lr' }], [])).toBe(false);
  });
});
