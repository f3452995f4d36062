import { describe, expect, it } from 'vitest';
import { parseObjective, rankTrials } from '../../../electron/services/training/sweep-view';

const t = (name: string, objectiveValue: number | null) => ({ name, objectiveValue });

describe('ranking a sweep\'s trials', () => {
  const trials = [t('a', 0.5), t('b', null), t('c', 0.2), t('d', 0.9), t('e', 0.2), t('f', null)];

  it('puts the lowest first for min, the highest for max; trials without a value last, in trial order', () => {
    expect(rankTrials(trials, 'min').map((x) => x.name)).toEqual(['c', 'e', 'a', 'd', 'b', 'f']);
    expect(rankTrials(trials, 'max').map((x) => x.name)).toEqual(['d', 'a', 'c', 'e', 'b', 'f']);
  });

  it('keeps trial order when the objective is not known, and never reorders its input', () => {
    expect(rankTrials(trials, null).map((x) => x.name)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    rankTrials(trials, 'min');
    expect(trials.map((x) => x.name)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('reads the objective tag "min val_loss" back', () => {
    expect(parseObjective('min val_loss')).toEqual({ mode: 'min', metric: 'val_loss' });
    expect(parseObjective('max eval acc')).toEqual({ mode: 'max', metric: 'eval acc' });
    expect(parseObjective('lowest loss')).toBeNull();
    expect(parseObjective(undefined)).toBeNull();
  });
});
