import { describe, expect, it } from 'vitest';
import {
  createMetricLineState,
  MAX_METRICS_PER_LINE,
  parseMetricLine,
  type MetricLineError,
  type ParsedMetricLine,
} from '../../../electron/services/training/metric-line-parser';

function parsed(result: ReturnType<typeof parseMetricLine>): ParsedMetricLine {
  if (result === null || 'error' in result) throw new Error(`expected metrics, got ${JSON.stringify(result)}`);
  return result;
}

function failed(result: ReturnType<typeof parseMetricLine>): string {
  if (result === null || !('error' in result)) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return (result as MetricLineError).error;
}

describe('parseMetricLine', () => {
  it('reads the documented example', () => {
    const state = createMetricLineState();
    expect(parseMetricLine('ORRERY_METRICS {"step": 3, "loss": 0.25, "acc": 0.91}', state)).toEqual({
      step: 3,
      metrics: [
        { key: 'loss', value: 0.25 },
        { key: 'acc', value: 0.91 },
      ],
    });
  });

  it('leaves other output alone', () => {
    const state = createMetricLineState();
    for (const line of ['', 'Epoch 1/10', '{"loss": 0.5}', ' ORRERY_METRICS {"loss": 1}', 'orrery_metrics {"loss": 1}', 'ORRERY_METRICSX {"loss": 1}']) {
      expect(parseMetricLine(line, state)).toBeNull();
    }
    expect(state.nextStep).toBe(0);
  });

  it('handles \\n and \\r\\n endings, and a progress bar\'s \\r before the line', () => {
    const state = createMetricLineState();
    expect(parsed(parseMetricLine('ORRERY_METRICS {"step": 1, "loss": 0.5}\r\n', state)).metrics).toEqual([{ key: 'loss', value: 0.5 }]);
    expect(parsed(parseMetricLine('ORRERY_METRICS {"step": 2, "loss": 0.4}\n', state)).step).toBe(2);
    expect(parsed(parseMetricLine('100%|██████████| 50/50\rORRERY_METRICS {"step": 3, "loss": 0.3}\r\n', state)).step).toBe(3);
  });

  it('NaN and infinities: quoted, or bare as Python json.dumps writes them', () => {
    const state = createMetricLineState();
    const quoted = parsed(parseMetricLine('ORRERY_METRICS {"step": 0, "loss": "NaN", "grad": "Infinity", "low": "-Infinity"}', state));
    expect(quoted.metrics.map((m) => m.key)).toEqual(['loss', 'grad', 'low']);
    expect(quoted.metrics[0]!.value).toBeNaN();
    expect(quoted.metrics[1]!.value).toBe(Number.POSITIVE_INFINITY);
    expect(quoted.metrics[2]!.value).toBe(Number.NEGATIVE_INFINITY);
    // json.dumps({"step": 1, "loss": float("nan"), "grad": float("inf"), "low": float("-inf")})
    const bare = parsed(parseMetricLine('ORRERY_METRICS {"step": 1, "loss": NaN, "grad": Infinity, "low": -Infinity}', state));
    expect(bare.metrics[0]!.value).toBeNaN();
    expect(bare.metrics[1]!.value).toBe(Number.POSITIVE_INFINITY);
    expect(bare.metrics[2]!.value).toBe(Number.NEGATIVE_INFINITY);
    // The words inside keys are left alone.
    expect(parsed(parseMetricLine('ORRERY_METRICS {"NaN_count": 2, "Infinity x": NaN}', state)).metrics.map((m) => m.key)).toEqual(['NaN_count', 'Infinity x']);
    expect(failed(parseMetricLine('ORRERY_METRICS {"x\\" NaN": 1}', state))).toMatch(/^ORRERY_METRICS line not logged: key "x\\" NaN" may only contain/);
  });

  it('without step, a line gets the step after the previous line\'s, starting at 0', () => {
    const state = createMetricLineState();
    expect(parsed(parseMetricLine('ORRERY_METRICS {"loss": 0.9}', state)).step).toBe(0);
    expect(parsed(parseMetricLine('ORRERY_METRICS {"loss": 0.8}', state)).step).toBe(1);
    expect(parsed(parseMetricLine('ORRERY_METRICS {"step": 10, "val_loss": 0.7}', state)).step).toBe(10);
    expect(parsed(parseMetricLine('ORRERY_METRICS {"loss": 0.6}', state)).step).toBe(11);
    // A refused line does not move the counter.
    failed(parseMetricLine('ORRERY_METRICS {"loss": "high"}', state));
    expect(parsed(parseMetricLine('ORRERY_METRICS {"loss": 0.5}', state)).step).toBe(12);
    // Each job has its own state.
    expect(parsed(parseMetricLine('ORRERY_METRICS {"loss": 0.9}', createMetricLineState())).step).toBe(0);
  });

  it('timestamp: milliseconds, or seconds as time.time() gives them', () => {
    const state = createMetricLineState();
    expect(parseMetricLine('ORRERY_METRICS {"timestamp": 1717243200123, "loss": 1}', state)).toEqual({
      step: 0,
      timestamp: 1717243200123,
      metrics: [{ key: 'loss', value: 1 }],
    });
    expect(parsed(parseMetricLine('ORRERY_METRICS {"timestamp": 1717243200.5, "loss": 1}', state)).timestamp).toBe(1717243200500);
    expect(parsed(parseMetricLine('ORRERY_METRICS {"loss": 1}', state))).not.toHaveProperty('timestamp');
  });

  it('keys follow MLflow\'s rules', () => {
    const state = createMetricLineState();
    const ok = parsed(parseMetricLine('ORRERY_METRICS {"train/loss": 1, "val acc:top-5": 2, "lr.group_0": 3}', state));
    expect(ok.metrics.map((m) => m.key)).toEqual(['train/loss', 'val acc:top-5', 'lr.group_0']);
    expect(failed(parseMetricLine('ORRERY_METRICS {"loss%": 1, "acc": 2}', state))).toBe(
      'ORRERY_METRICS line not logged: key "loss%" may only contain letters, digits, underscores, dashes, periods, spaces, colons and slashes',
    );
    expect(failed(parseMetricLine('ORRERY_METRICS {"/loss": 1}', state))).toMatch(/key "\/loss" must not be a path/);
    expect(failed(parseMetricLine('ORRERY_METRICS {"a/../b": 1}', state))).toMatch(/key "a\/..\/b" must not be a path/);
    expect(failed(parseMetricLine(`ORRERY_METRICS {"${'k'.repeat(251)}": 1}`, state))).toMatch(/is 251 characters long, more than 250/);
    expect(parsed(parseMetricLine(`ORRERY_METRICS {"${'k'.repeat(250)}": 1}`, state)).metrics).toHaveLength(1);
    expect(failed(parseMetricLine('ORRERY_METRICS {"": 1}', state))).toMatch(/key "" must not be empty/);
  });

  it('invalid JSON and wrong shapes are errors to warn about, never throws', () => {
    const state = createMetricLineState();
    expect(failed(parseMetricLine('ORRERY_METRICS {"loss": 0.5', state))).toMatch(/^ORRERY_METRICS line not logged: not valid JSON \(/);
    expect(failed(parseMetricLine('ORRERY_METRICS', state))).toMatch(/expected a JSON object after ORRERY_METRICS/);
    expect(failed(parseMetricLine('ORRERY_METRICS   \r\n', state))).toMatch(/expected a JSON object after ORRERY_METRICS/);
    expect(failed(parseMetricLine('ORRERY_METRICS [0.5]', state))).toBe('ORRERY_METRICS line not logged: expected a JSON object, got [0.5]');
    expect(failed(parseMetricLine('ORRERY_METRICS {"step": 3}', state))).toMatch(/no metrics/);
    expect(failed(parseMetricLine('ORRERY_METRICS {"step": -1, "loss": 1}', state))).toMatch(/"step" must be a whole number of at least 0, got -1/);
    expect(failed(parseMetricLine('ORRERY_METRICS {"step": 1.5, "loss": 1}', state))).toMatch(/"step" must be a whole number/);
    expect(failed(parseMetricLine('ORRERY_METRICS {"step": "3", "loss": 1}', state))).toMatch(/got "3"/);
    expect(failed(parseMetricLine('ORRERY_METRICS {"timestamp": "now", "loss": 1}', state))).toMatch(/"timestamp" must be milliseconds/);
    expect(failed(parseMetricLine('ORRERY_METRICS {"loss": null}', state))).toMatch(/"loss" must be a number .*got null \(JavaScript's JSON.stringify writes NaN as null/);
    expect(failed(parseMetricLine('ORRERY_METRICS {"loss": {"a": 1}, "acc": true}', state))).toBe(
      'ORRERY_METRICS line not logged: "loss" must be a number or "NaN", "Infinity", "-Infinity", got {"a":1}; "acc" must be a number or "NaN", "Infinity", "-Infinity", got true',
    );
    expect(state.nextStep).toBe(0);
  });

  it('lists at most five problems', () => {
    const keys = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`bad${i}!`, 1]));
    const error = failed(parseMetricLine(`ORRERY_METRICS ${JSON.stringify(keys)}`, createMetricLineState()));
    expect(error.split('; ')).toHaveLength(6);
    expect(error).toMatch(/; and 3 more$/);
  });

  it('refuses more metrics than MLflow takes in one batch', () => {
    const many = Object.fromEntries(Array.from({ length: MAX_METRICS_PER_LINE + 1 }, (_, i) => [`m${i}`, i]));
    expect(failed(parseMetricLine(`ORRERY_METRICS ${JSON.stringify(many)}`, createMetricLineState()))).toMatch(/1001 metrics, more than the 1000/);
  });
});
