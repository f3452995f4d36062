import { describe, expect, it } from 'vitest';
import type { MetricBuckets, MetricValue } from '../../shared/contract/tracking';
import { bucketsToPoints, ema, firstTimestamp, formatDuration, formatValue, metricNumber, nearestIndex, runColor, xOf } from '../../renderer/src/charts/series-math';
import { latestValues, metricKeyUnion, paramAxes, parseRunIds } from '../../renderer/src/pages/compare/compare-data';

type Row = [stepStart: number, stepEnd: number, count: number, min: MetricValue | null, max: MetricValue | null, last: MetricValue, lastStep: number, ts: number];

function table(rows: Row[]): MetricBuckets {
  return {
    stepStart: rows.map((r) => r[0]),
    stepEnd: rows.map((r) => r[1]),
    count: rows.map((r) => r[2]),
    min: rows.map((r) => r[3]),
    minStep: rows.map((r) => (r[3] === null ? null : r[0])),
    max: rows.map((r) => r[4]),
    maxStep: rows.map((r) => (r[4] === null ? null : r[1])),
    last: rows.map((r) => r[5]),
    lastStep: rows.map((r) => r[6]),
    lastTimestamp: rows.map((r) => r[7]),
  };
}

describe('metricNumber', () => {
  it('turns the protobuf-JSON strings into numbers and keeps null', () => {
    expect(metricNumber(1.5)).toBe(1.5);
    expect(metricNumber('NaN')).toBeNaN();
    expect(metricNumber('Infinity')).toBe(Infinity);
    expect(metricNumber('-Infinity')).toBe(-Infinity);
    expect(metricNumber(null)).toBeNull();
    expect(metricNumber(undefined)).toBeNull();
  });
});

describe('bucketsToPoints', () => {
  const buckets = table([
    [0, 9, 10, 0.5, 1, 0.9, 9, 1000],
    [10, 19, 10, 0.4, 50, 0.8, 19, 2000], // a spike to 50 inside the bucket
    [20, 20, 1, 0.7, 0.7, 0.7, 20, 3000],
  ]);

  it('draws last values as the line and each bucket min–max as the band, so a spike stays visible', () => {
    const p = bucketsToPoints(buckets, 'step');
    expect(p.line).toEqual([
      { x: 9, y: 0.9 },
      { x: 19, y: 0.8 },
      { x: 20, y: 0.7 },
    ]);
    // A bucket of one point has no band.
    expect(p.band).toEqual([
      { x: 9, lo: 0.5, hi: 1 },
      { x: 19, lo: 0.4, hi: 50 },
    ]);
    expect(p.range).toEqual({ min: 0.4, max: 50 });
  });

  it('uses wall time or seconds since the first timestamp for x', () => {
    expect(bucketsToPoints(buckets, 'wall').line.map((q) => q.x)).toEqual([1000, 2000, 3000]);
    expect(bucketsToPoints(buckets, 'relative').line.map((q) => q.x)).toEqual([0, 1, 2]);
    expect(bucketsToPoints(buckets, 'relative', { origin: 0 }).line.map((q) => q.x)).toEqual([1, 2, 3]);
    expect(xOf(buckets, 1, 'step', 0)).toBe(19);
    expect(firstTimestamp(buckets)).toBe(1000);
    expect(firstTimestamp(table([]))).toBe(0);
  });

  it('skips NaN values and keeps ±Infinity out of the line and the band', () => {
    const p = bucketsToPoints(
      table([
        [0, 0, 1, null, null, 'NaN', 0, 0],
        [1, 9, 9, '-Infinity', 2, 1, 9, 10],
        [10, 19, 10, 0.5, 'Infinity', 'Infinity', 19, 20],
        [20, 29, 10, null, null, 'NaN', 29, 30],
        [30, 39, 10, 'NaN', 3, 2, 39, 40],
      ]),
      'step',
    );
    expect(p.line).toEqual([
      { x: 9, y: 1 },
      { x: 39, y: 2 },
    ]);
    // -Inf clamped to the line value, +Inf to the low edge: nothing infinite reaches the chart.
    expect(p.band).toEqual([
      { x: 9, lo: 1, hi: 2 },
      { x: 39, lo: 2, hi: 3 },
    ]);
    expect(p.range).toEqual({ min: 1, max: 3 });
    expect(JSON.stringify(p)).not.toMatch(/null|Infinity/);
    // What the line cannot show is listed for the chart to mark: a NaN last value, ±Infinity anywhere.
    expect(p.nonFinite).toEqual([
      { x: 0, kind: 'nan' },
      { x: 9, kind: '-inf' },
      { x: 19, kind: 'inf' },
      { x: 29, kind: 'nan' },
    ]);
  });

  it('marks one ±Infinity point once, and a bucket holding both infinities twice', () => {
    const p = bucketsToPoints(
      table([
        [0, 0, 1, 'Infinity', 'Infinity', 'Infinity', 0, 0],
        [1, 1, 1, '-Infinity', '-Infinity', '-Infinity', 1, 10],
        [2, 9, 8, '-Infinity', 'Infinity', 1, 9, 20],
      ]),
      'wall',
    );
    expect(p.nonFinite).toEqual([
      { x: 0, kind: 'inf' },
      { x: 10, kind: '-inf' },
      { x: 20, kind: 'inf' },
      { x: 20, kind: '-inf' },
    ]);
  });

  it('leaves out values <= 0 on a log axis and reports the smallest positive value', () => {
    const p = bucketsToPoints(
      table([
        [0, 9, 10, -1, 4, 0, 9, 0],
        [10, 19, 10, 0.01, 2, 1, 19, 0],
      ]),
      'step',
      { logY: true },
    );
    expect(p.line).toEqual([{ x: 19, y: 1 }]);
    // The first bucket keeps only its top edge (4): no band; the second is whole.
    expect(p.band).toEqual([{ x: 19, lo: 0.01, hi: 2 }]);
    expect(p.minPositive).toBe(0.01);
  });

  it('has no range for an empty or all-NaN series', () => {
    expect(bucketsToPoints(table([]), 'step').range).toBeNull();
    expect(bucketsToPoints(table([[0, 0, 1, null, null, 'NaN', 0, 0]]), 'step')).toEqual({
      line: [],
      band: [],
      range: null,
      minPositive: null,
      nonFinite: [{ x: 0, kind: 'nan' }],
    });
  });
});

describe('ema', () => {
  const pts = [
    { x: 0, y: 10 },
    { x: 1, y: 0 },
    { x: 2, y: 0 },
  ];

  it('returns the points unchanged at weight 0', () => {
    expect(ema(pts, 0)).toEqual(pts);
  });

  it('is debiased: the first value is kept, later ones are pulled towards the past', () => {
    const out = ema(pts, 0.5);
    expect(out[0]!.y).toBeCloseTo(10);
    // acc = 0.5*10*0.5 = 2.5, debias 1 - 0.25 → 3.333…
    expect(out[1]!.y).toBeCloseTo(10 / 3);
    expect(out[2]!.y).toBeCloseTo(1.25 / 0.875);
    expect(out.map((p) => p.x)).toEqual([0, 1, 2]);
  });

  it('clamps the weight and keeps a constant series constant', () => {
    const flat = Array.from({ length: 50 }, (_, i) => ({ x: i, y: 3 }));
    for (const p of ema(flat, 5)) expect(p.y).toBeCloseTo(3);
    expect(ema(flat, -1)).toEqual(flat);
  });
});

describe('nearestIndex', () => {
  const pts = [0, 10, 20, 30].map((x) => ({ x, y: x }));
  it('finds the point nearest to an x', () => {
    expect(nearestIndex(pts, -5)).toBe(0);
    expect(nearestIndex(pts, 4)).toBe(0);
    expect(nearestIndex(pts, 6)).toBe(1);
    expect(nearestIndex(pts, 20)).toBe(2);
    expect(nearestIndex(pts, 99)).toBe(3);
    expect(nearestIndex([], 1)).toBe(-1);
  });
});

describe('formatting and colours', () => {
  it('gives every run index a stable, distinct colour', () => {
    const colors = Array.from({ length: 100 }, (_, i) => runColor(i));
    expect(new Set(colors).size).toBe(100);
    expect(runColor(3)).toBe(colors[3]);
  });

  it('formats values and durations compactly', () => {
    expect(formatValue(null)).toBe('—');
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(Infinity)).toBe('∞');
    expect(formatValue(0.123456)).toBe('0.12346');
    expect(formatValue(1e-5)).toBe('1.000e-5');
    expect(formatDuration(93_000)).toBe('1m 33s');
    expect(formatDuration(7_260_000)).toBe('2h 1m');
  });
});

describe('comparison data', () => {
  const id = (c: string) => c.repeat(32);
  it('parses run ids: valid, unique, in order', () => {
    expect(parseRunIds(`${id('a')},${id('b')}, ${id('a')},nope`)).toEqual([id('a'), id('b')]);
    expect(parseRunIds(null)).toEqual([]);
  });

  it('builds numeric and categorical axes from the differing params only', () => {
    const axes = paramAxes({
      runIds: [id('a'), id('b')],
      rows: [
        { key: 'batch', values: ['32', '32'], differs: false },
        { key: 'lr', values: ['0.1', '0.01'], differs: true },
        { key: 'opt', values: ['sgd', null], differs: true },
      ],
      differingCount: 2,
      totalCount: 3,
    });
    expect(axes).toEqual([
      { key: 'lr', kind: 'number', values: [0.1, 0.01], categories: [] },
      { key: 'opt', kind: 'category', values: [0, null], categories: ['sgd'] },
    ]);
  });

  it('unions metric keys with system/* last and reads finite latest values', () => {
    const run = (metrics: Record<string, MetricValue>) =>
      ({ metrics: Object.fromEntries(Object.entries(metrics).map(([key, value]) => [key, { key, value, step: 0, timestamp: 0 }])) }) as never;
    const runs = [run({ loss: 1, 'system/cpu': 3 }), run({ acc: 'NaN', loss: 2 })];
    expect(metricKeyUnion(runs)).toEqual(['acc', 'loss', 'system/cpu']);
    expect(latestValues(runs, 'acc')).toEqual([null, null]);
    expect(latestValues(runs, 'loss')).toEqual([1, 2]);
  });
});
