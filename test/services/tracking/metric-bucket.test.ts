import { describe, expect, it } from 'vitest';
import { BucketAggregate, emptyBuckets } from '../../../electron/services/tracking/metric-bucket';
import { bucketList } from '../../../shared/metric-buckets';

type Point = [step: number, timestamp: number, value: number];

function bucketOf(points: Point[]): BucketAggregate {
  const agg = new BucketAggregate();
  for (const [step, timestamp, value] of points) agg.add(step, timestamp, value);
  return agg;
}

/** The one bucket `agg` appends, as the chart reads it. */
function row(agg: BucketAggregate) {
  const columns = emptyBuckets();
  agg.appendTo(columns);
  return bucketList(columns)[0]!;
}

/** Two buckets built separately, then joined. */
function merged(into: Point[], other: Point[]) {
  const agg = bucketOf(into);
  agg.merge(bucketOf(other));
  return row(agg);
}

describe('metric bucket', () => {
  it('an empty table has every column, all empty', () => {
    expect(emptyBuckets()).toEqual({ stepStart: [], stepEnd: [], count: [], min: [], minStep: [], max: [], maxStep: [], last: [], lastStep: [], lastTimestamp: [] });
  });

  it('a bucket reports its count, step range, extremes with their steps, and the value at its last step', () => {
    expect(
      row(
        bucketOf([
          [7, 70, 3],
          [4, 40, 5],
          [9, 90, 1],
          [5, 50, -2],
        ]),
      ),
    ).toEqual({ stepStart: 4, stepEnd: 9, count: 4, min: -2, minStep: 5, max: 5, maxStep: 4, last: 1, lastStep: 9, lastTimestamp: 90 });
  });

  it('appends after the buckets already in the table', () => {
    const columns = emptyBuckets();
    bucketOf([[1, 10, 0.5]]).appendTo(columns);
    bucketOf([[2, 20, 0.25]]).appendTo(columns);
    expect(columns.stepStart).toEqual([1, 2]);
    expect(columns.last).toEqual([0.5, 0.25]);
  });

  it('NaN points are counted and can be the last value, but are never the min or max', () => {
    expect(row(bucketOf([[1, 10, Number.NaN]]))).toMatchObject({ count: 1, min: null, minStep: null, max: null, maxStep: null, last: 'NaN' });
    expect(
      row(
        bucketOf([
          [1, 10, Number.NaN],
          [2, 20, 4],
          [3, 30, Number.NaN],
        ]),
      ),
    ).toMatchObject({ count: 3, min: 4, minStep: 2, max: 4, maxStep: 2, last: 'NaN', lastStep: 3 });
  });

  it('±Infinity are real extremes and travel as strings', () => {
    expect(
      row(
        bucketOf([
          [1, 10, Number.NEGATIVE_INFINITY],
          [2, 20, 0],
          [3, 30, Number.POSITIVE_INFINITY],
        ]),
      ),
    ).toMatchObject({ min: '-Infinity', minStep: 1, max: 'Infinity', maxStep: 3, last: 'Infinity' });
  });

  it('a value repeated at the extreme is reported at the step where it first appeared', () => {
    expect(
      row(
        bucketOf([
          [1, 10, 5],
          [2, 20, 9],
          [3, 30, 5],
          [4, 40, 9],
        ]),
      ),
    ).toMatchObject({ min: 5, minStep: 1, max: 9, maxStep: 2 });
  });

  // Which point is the latest: the highest step, then the latest timestamp; on an exact tie the
  // later write (MLflow keeps the higher value there; a known difference).
  it.each<{ name: string; points: Point[]; last: number; lastStep: number; lastTimestamp: number }>([
    { name: 'a higher step wins even with an older timestamp', points: [[5, 99, 1], [6, 10, 2]], last: 2, lastStep: 6, lastTimestamp: 10 },
    { name: 'a lower step logged later does not replace it', points: [[6, 10, 2], [5, 99, 1]], last: 2, lastStep: 6, lastTimestamp: 10 },
    { name: 'on the same step a later timestamp wins', points: [[5, 10, 1], [5, 20, 2]], last: 2, lastStep: 5, lastTimestamp: 20 },
    { name: 'on the same step an earlier timestamp logged later does not', points: [[5, 20, 2], [5, 10, 1]], last: 2, lastStep: 5, lastTimestamp: 20 },
    { name: 'on the same step and timestamp the later write wins', points: [[5, 10, 1], [5, 10, 2]], last: 2, lastStep: 5, lastTimestamp: 10 },
  ])('last value: $name', ({ points, last, lastStep, lastTimestamp }) => {
    expect(row(bucketOf(points))).toMatchObject({ last, lastStep, lastTimestamp });
  });

  it('merging buckets adds counts, widens the step range and keeps the extremes with their steps', () => {
    expect(
      merged(
        [
          [10, 100, 3],
          [12, 120, 8],
        ],
        [
          [2, 20, 1],
          [4, 40, 9],
          [6, 60, Number.NaN],
        ],
      ),
    ).toEqual({ stepStart: 2, stepEnd: 12, count: 5, min: 1, minStep: 2, max: 9, maxStep: 4, last: 8, lastStep: 12, lastTimestamp: 120 });
  });

  it('merging into an empty bucket copies the other, and merging an empty bucket changes nothing', () => {
    const points: Point[] = [
      [3, 30, 2],
      [8, 80, Number.NaN],
    ];
    const expected = { stepStart: 3, stepEnd: 8, count: 2, min: 2, minStep: 3, max: 2, maxStep: 3, last: 'NaN', lastStep: 8, lastTimestamp: 80 };
    expect(merged([], points)).toEqual(expected);
    expect(merged(points, [])).toEqual(expected);
  });

  it('merging a bucket of only NaN points keeps the extremes of the other', () => {
    expect(merged([[1, 10, 4]], [[2, 20, Number.NaN]])).toMatchObject({ min: 4, minStep: 1, max: 4, maxStep: 1, last: 'NaN' });
    expect(merged([[2, 20, Number.NaN]], [[1, 10, 4]])).toMatchObject({ min: 4, minStep: 1, max: 4, maxStep: 1, last: 'NaN' });
  });

  it('merging keeps a repeated extreme at the step of the bucket merged into', () => {
    expect(
      merged(
        [
          [1, 10, 5],
          [2, 20, 9],
        ],
        [
          [3, 30, 5],
          [4, 40, 9],
        ],
      ),
    ).toMatchObject({ min: 5, minStep: 1, max: 9, maxStep: 2 });
  });

  it.each<{ name: string; into: Point[]; other: Point[]; last: number; lastStep: number; lastTimestamp: number }>([
    { name: 'the other bucket reaching a higher step wins', into: [[5, 99, 1]], other: [[6, 10, 2]], last: 2, lastStep: 6, lastTimestamp: 10 },
    { name: 'the other bucket ending at a lower step does not, whatever its timestamp', into: [[6, 10, 2]], other: [[5, 99, 1]], last: 2, lastStep: 6, lastTimestamp: 10 },
    { name: 'on the same step the later timestamp wins', into: [[5, 10, 1]], other: [[5, 20, 2]], last: 2, lastStep: 5, lastTimestamp: 20 },
    { name: 'on the same step an earlier timestamp does not', into: [[5, 20, 2]], other: [[5, 10, 1]], last: 2, lastStep: 5, lastTimestamp: 20 },
    { name: 'on the same step and timestamp the bucket merged in wins', into: [[5, 10, 1]], other: [[5, 10, 2]], last: 2, lastStep: 5, lastTimestamp: 10 },
  ])('merged last value: $name', ({ into, other, last, lastStep, lastTimestamp }) => {
    expect(merged(into, other)).toMatchObject({ last, lastStep, lastTimestamp });
  });
});
