import { describe, expect, it } from 'vitest';
import type { GateSpec } from '../../../shared/contract/registry';
import type { MetricValue } from '../../../shared/contract/tracking';
import { describeFailures, evaluateGates, gateStatus } from '../../../electron/services/registry/gates';

type MetricOp = Extract<GateSpec, { kind: 'metric' }>['op'];

const THRESHOLD = 0.9;
const just = 1e-9;

function passes(op: MetricOp, value: MetricValue | undefined): boolean {
  const metrics: Record<string, MetricValue> = value === undefined ? {} : { accuracy: value };
  const [result] = evaluateGates([{ kind: 'metric', metric: 'accuracy', op, value: THRESHOLD }], { files: [], totalSize: 0, metrics });
  return result!.passed;
}

describe('metric gates at the threshold', () => {
  // [op, just below, equal, just above]: what a reviewer reading "accuracy <op> 0.9" expects.
  it.each<[MetricOp, boolean, boolean, boolean]>([
    ['>=', false, true, true],
    ['>', false, false, true],
    ['<=', true, true, false],
    ['<', true, false, false],
    ['==', false, true, false],
  ])('accuracy %s 0.9: just below %s, equal %s, just above %s', (op, below, equal, above) => {
    expect(passes(op, THRESHOLD - just)).toBe(below);
    expect(passes(op, THRESHOLD)).toBe(equal);
    expect(passes(op, THRESHOLD + just)).toBe(above);
  });

  it.each<MetricOp>(['>=', '>', '<=', '<', '=='])('%s fails on a missing metric and on NaN, whatever the direction', (op) => {
    expect(passes(op, undefined)).toBe(false);
    expect(passes(op, 'NaN')).toBe(false);
  });

  it('reads ±Infinity as numbers: Infinity passes >=, -Infinity passes <', () => {
    expect(passes('>=', 'Infinity')).toBe(true);
    expect(passes('>=', '-Infinity')).toBe(false);
    expect(passes('<', '-Infinity')).toBe(true);
    expect(passes('<', 'Infinity')).toBe(false);
  });
});

describe('file and size gates', () => {
  const files = [
    { path: 'MLmodel', size: 10, sha256: 'a' },
    { path: 'model/weights.bin', size: 90, sha256: 'b' },
  ];

  it('a required file or folder is present, a prefix of a name is not', () => {
    const results = evaluateGates(
      [
        { kind: 'required_file', path: 'MLmodel' },
        { kind: 'required_file', path: '/model/' },
        { kind: 'required_file', path: 'mod' },
      ],
      { files, totalSize: 100, metrics: {} },
    );
    expect(results.map((r) => r.passed)).toEqual([true, true, false]);
    expect(results.map((r) => [r.actual, r.expected])).toEqual([
      ['present', 'present'],
      ['present', 'present'],
      ['missing', 'present'],
    ]);
    expect(describeFailures(results)).toBe('file mod present (actual missing)');
  });

  it('a nested required file keeps its inner slashes; only leading and trailing ones are dropped', () => {
    const gates: GateSpec[] = [
      { kind: 'required_file', path: 'model/weights.bin' },
      { kind: 'required_file', path: '//model/weights.bin//' },
      { kind: 'required_file', path: 'modelweights.bin' },
    ];
    expect(evaluateGates(gates, { files, totalSize: 100, metrics: {} }).map((r) => r.passed)).toEqual([true, true, false]);
  });

  it('max size passes at exactly the limit and fails one byte over', () => {
    const at = evaluateGates([{ kind: 'max_size', bytes: 100 }], { files, totalSize: 100, metrics: {} });
    const over = evaluateGates([{ kind: 'max_size', bytes: 99 }], { files, totalSize: 100, metrics: {} });
    expect(at[0]!.passed).toBe(true);
    expect(over[0]!.passed).toBe(false);
    expect(describeFailures(over)).toBe('size <= 99 bytes (actual 100)');
  });

  it('the status is none without gates, failed when any gate fails', () => {
    expect(gateStatus([])).toBe('none');
    const results = evaluateGates(
      [
        { kind: 'max_size', bytes: 1000 },
        { kind: 'metric', metric: 'accuracy', op: '>=', value: 0.9 },
      ],
      { files, totalSize: 100, metrics: { accuracy: 0.5 } },
    );
    expect(gateStatus(results)).toBe('failed');
    expect(describeFailures(results)).toBe('accuracy >= 0.9 (actual 0.5)');
    const allPass = evaluateGates([{ kind: 'max_size', bytes: 1000 }, { kind: 'required_file', path: 'MLmodel' }], { files, totalSize: 100, metrics: {} });
    expect(gateStatus(allPass)).toBe('passed');
    expect(describeFailures(allPass)).toBe('');
  });

  it('lists every failure in one message, a missing metric as missing', () => {
    const results = evaluateGates(
      [
        { kind: 'metric', metric: 'val_loss', op: '<=', value: 0.1 },
        { kind: 'max_size', bytes: 10 },
      ],
      { files, totalSize: 100, metrics: {} },
    );
    expect(describeFailures(results)).toBe('val_loss <= 0.1 (actual missing); size <= 10 bytes (actual 100)');
  });
});
