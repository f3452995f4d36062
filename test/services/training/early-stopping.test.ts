import { describe, expect, it } from 'vitest';
import { earlyStoppingSchema } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';
import { EarlyStopping, formatMetricValue } from '../../../electron/services/training/early-stopping';

/** Feeds values at steps 0, 1, 2, …; returns the step of the first stop, or null. */
function stopsAt(stopper: EarlyStopping, values: number[]): number | null {
  for (const [step, value] of values.entries()) if (stopper.observe(step, value).stop) return step;
  return null;
}

describe('EarlyStopping', () => {
  it('patience 3 stops exactly on the 3rd evaluation without improvement', () => {
    const stopper = new EarlyStopping({ metric: 'val_loss', mode: 'min', patience: 3 });
    expect(stopper.observe(0, 1.0)).toEqual({ stop: false });
    expect(stopper.observe(1, 0.8)).toEqual({ stop: false });
    expect(stopper.observe(2, 0.9)).toEqual({ stop: false });
    expect(stopper.observe(3, 0.85)).toEqual({ stop: false });
    expect(stopper.stopped).toBe(false);
    const decision = stopper.observe(4, 0.8); // equal to the best is no improvement
    expect(decision.stop).toBe(true);
    expect(decision.reason).toBe('early stopping: val_loss has not improved for 3 evaluations (best 0.8000 at step 1)');
    expect(stopper.best()).toEqual({ step: 1, value: 0.8 });
    expect(stopper.stopped).toBe(true);
  });

  it('an improvement resets the count', () => {
    const stopper = new EarlyStopping({ metric: 'val_loss', mode: 'min', patience: 3 });
    expect(stopsAt(stopper, [1, 1.1, 1.2, 0.9, 1.0, 1.0, 0.95])).toBe(6);
    expect(stopper.best()).toEqual({ step: 3, value: 0.9 });
  });

  it('max mode: higher is better', () => {
    const stopper = new EarlyStopping({ metric: 'val_acc', mode: 'max', patience: 2 });
    expect(stopsAt(stopper, [0.5, 0.7, 0.9, 0.8, 0.95, 0.94, 0.93])).toBe(6);
    expect(stopper.best()).toEqual({ step: 4, value: 0.95 });
  });

  it('needs an improvement of at least minDelta, and says so in the reason', () => {
    const stopper = new EarlyStopping({ metric: 'val_loss', mode: 'min', patience: 5, minDelta: 0.001 });
    const values = [0.3, 0.25, 0.24, 0.235, 0.232, 0.231, 0.2305, 0.2302, 0.2301, 0.23005, 0.2309, 0.2306, 0.2304];
    // Steps 0..5 improve by ≥ 0.001 (0.232 → 0.231 is exactly 0.001); 6..10 do not: stop at 10.
    expect(stopsAt(stopper, values)).toBe(10);
    expect(stopper.best()).toEqual({ step: 5, value: 0.231 });
    expect(stopper.observe(11, 0.1).reason).toBe('early stopping: val_loss has not improved by 0.001 for 5 evaluations (best 0.2310 at step 5)');
  });

  it('a gain of exactly minDelta in binary fractions still counts', () => {
    const stopper = new EarlyStopping({ metric: 'loss', mode: 'min', patience: 1, minDelta: 0.1 });
    stopper.observe(0, 0.3);
    expect(stopper.observe(1, 0.2).stop).toBe(false); // 0.3 - 0.2 = 0.09999999999999998
    expect(stopper.best()).toEqual({ step: 1, value: 0.2 });
  });

  it('a gain of exactly minDelta counts at any scale, e.g. a perplexity near 1000', () => {
    const stopper = new EarlyStopping({ metric: 'val_perplexity', mode: 'min', patience: 1, minDelta: 0.1 });
    stopper.observe(0, 1000.3);
    expect(stopper.observe(1, 1000.2)).toEqual({ stop: false }); // 1000.3 - 1000.2 = 0.09999999999990905
    expect(stopper.best()).toEqual({ step: 1, value: 1000.2 });
  });

  it('forgives a shortfall from minDelta of rounding size (8 × Number.EPSILON near 1), and no more', () => {
    const within = new EarlyStopping({ metric: 'loss', mode: 'min', patience: 1, minDelta: 0.5 + 2 ** -49 });
    within.observe(0, 1);
    expect(within.observe(1, 0.5)).toEqual({ stop: false });
    const beyond = new EarlyStopping({ metric: 'loss', mode: 'min', patience: 1, minDelta: 0.5 + 2 ** -48 });
    beyond.observe(0, 1);
    expect(beyond.observe(1, 0.5).stop).toBe(true);
  });

  it('NaN and Infinity count as no improvement', () => {
    const stopper = new EarlyStopping({ metric: 'loss', mode: 'min', patience: 3 });
    expect(stopper.observe(0, 0.5).stop).toBe(false);
    expect(stopper.observe(1, Number.NaN).stop).toBe(false);
    expect(stopper.observe(2, Number.NEGATIVE_INFINITY).stop).toBe(false);
    expect(stopper.evaluationsWithoutImprovement).toBe(2);
    expect(stopper.observe(3, Number.NaN)).toEqual({
      stop: true,
      reason: 'early stopping: loss has not improved for 3 evaluations (best 0.5000 at step 0)',
    });
  });

  it('a metric that is NaN from the start stops after patience, saying there was no value', () => {
    const stopper = new EarlyStopping({ metric: 'loss', mode: 'max', patience: 2 });
    expect(stopper.observe(0, Number.NaN).stop).toBe(false);
    expect(stopper.best()).toBeNull();
    expect(stopper.observe(1, Number.NaN)).toEqual({ stop: true, reason: 'early stopping: loss has not improved for 2 evaluations (no finite value yet)' });
  });

  it('once stopped it keeps saying so and the best stays put', () => {
    const stopper = new EarlyStopping({ metric: 'loss', mode: 'min', patience: 1 });
    stopper.observe(0, 1);
    const first = stopper.observe(1, 2);
    expect(first).toEqual({ stop: true, reason: 'early stopping: loss has not improved for 1 evaluation (best 1.0000 at step 0)' });
    expect(stopper.observe(2, 0.1)).toEqual(first);
    expect(stopper.best()).toEqual({ step: 0, value: 1 });
  });

  it('best() is a copy', () => {
    const stopper = new EarlyStopping({ metric: 'loss', mode: 'min', patience: 2 });
    expect(stopper.best()).toBeNull();
    stopper.observe(7, 0.4);
    const best = stopper.best()!;
    best.value = 0;
    expect(stopper.best()).toEqual({ step: 7, value: 0.4 });
  });

  it('takes the parsed job spec as is', () => {
    const spec = earlyStoppingSchema.parse({ metric: 'val_loss', mode: 'min', patience: 4 });
    const stopper = new EarlyStopping(spec);
    expect(stopper.minDelta).toBe(0);
    expect(stopper.patience).toBe(4);
  });

  it('refuses bad settings, naming the field', () => {
    const bad = (options: object) => () => new EarlyStopping(options as never);
    expect(bad({ metric: 'loss', mode: 'min', patience: 0 })).toThrow(OrreryError);
    expect(bad({ metric: 'loss', mode: 'min', patience: 0 })).toThrow(/^earlyStopping\.patience: must be a whole number of at least 1/);
    expect(bad({ metric: 'loss', mode: 'min', patience: 2.5 })).toThrow(/^earlyStopping\.patience/);
    expect(bad({ metric: 'loss', mode: 'min', patience: 2, minDelta: -0.1 })).toThrow(/^earlyStopping\.minDelta/);
    expect(bad({ metric: '', mode: 'min', patience: 2 })).toThrow(/^earlyStopping\.metric/);
    expect(bad({ metric: 'loss', mode: 'lowest', patience: 2 })).toThrow(/^earlyStopping\.mode/);
    expect(bad({ metric: 'loss', mode: 'min', patience: 2, minDelta: Number.NaN })).toThrow(/^earlyStopping\.minDelta: must be a number of at least 0/);
    expect(bad({ metric: 'loss', mode: 'min', patience: 2, minDelta: Number.POSITIVE_INFINITY })).toThrow(/^earlyStopping\.minDelta/);
  });

  it.each<[string, object, string]>([
    ['no metric', { mode: 'min', patience: 2 }, 'earlyStopping.metric: must name the metric to watch'],
    ['a blank metric', { metric: '   ', mode: 'min', patience: 2 }, 'earlyStopping.metric: must name the metric to watch'],
    ['an unknown mode', { metric: 'loss', mode: 'lowest', patience: 2 }, 'earlyStopping.mode: must be "min" or "max", got "lowest"'],
    ['minDelta as text', { metric: 'loss', mode: 'min', patience: 2, minDelta: '0.01' }, 'earlyStopping.minDelta: must be a number of at least 0, got "0.01"'],
  ])('refuses %s with a message the user can act on', (_, options, message) => {
    expect(() => new EarlyStopping(options as never)).toThrow(new OrreryError('INVALID_INPUT', message));
  });

  it('formats values readably at any scale', () => {
    expect(formatMetricValue(0.231)).toBe('0.2310');
    expect(formatMetricValue(12.5)).toBe('12.5000');
    expect(formatMetricValue(0)).toBe('0.0000');
    expect(formatMetricValue(1.2345e-7)).toBe('1.235e-7');
    expect(formatMetricValue(3e9)).toBe('3.000e+9');
    expect(formatMetricValue(0.001)).toBe('0.0010');
    expect(formatMetricValue(0.000999)).toBe('9.990e-4');
    expect(formatMetricValue(999999.5)).toBe('999999.5000');
    expect(formatMetricValue(1e6)).toBe('1.000e+6');
    expect(formatMetricValue(-0.25)).toBe('-0.2500');
    expect(formatMetricValue(Number.NaN)).toBe('NaN');
    expect(formatMetricValue(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(formatMetricValue(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
  });
});
