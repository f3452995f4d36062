import { describe, expect, it } from 'vitest';
import { tableFromRecords, type ColumnTable } from '../../../electron/services/monitoring/data/column-table';
import { encodeProfile } from '../../../electron/services/monitoring/profile/profile-codec';
import { currentSample, profileTable, ProfileBuilder, type ColumnProfile } from '../../../electron/services/monitoring/profile/reference-profile';
import { DISTINCT_LIMIT } from '../../../electron/services/monitoring/stats/samples';

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function numericTable(name: string, values: Float64Array, typeMismatches = 0): ColumnTable {
  return { rows: values.length, columns: [{ name, kind: 'numeric', numbers: values, strings: null, typeMismatches }] };
}

function column(profile: { columns: ColumnProfile[] }, name: string): ColumnProfile {
  return profile.columns.find((c) => c.name === name)!;
}

describe('reference profile', () => {
  it('has min, max, mean and population std equal to a straightforward computation, over finite values only', () => {
    const random = seeded(11);
    const records = Array.from({ length: 5_000 }, (_, i) => ({
      x: i % 97 === 0 ? null : i % 89 === 0 ? Infinity : 1e6 + random() * 10,
      c: ['a', 'b', 'ü'][i % 3]!,
    }));
    const profile = profileTable(tableFromRecords(records));
    const finite = records.map((r) => r.x).filter((v): v is number => v !== null && Number.isFinite(v));
    const mean = finite.reduce((s, v) => s + v, 0) / finite.length;
    const std = Math.sqrt(finite.reduce((s, v) => s + (v - mean) ** 2, 0) / finite.length);
    const x = column(profile, 'x');
    expect(profile.rows).toBe(5_000);
    expect(x.kind).toBe('numeric');
    expect(x.missing).toBe(records.filter((r) => r.x === null).length);
    expect(x.nonFinite).toBe(records.filter((r) => r.x === Infinity).length);
    expect(x.min).toBe(Math.min(...finite));
    expect(x.max).toBe(Math.max(...finite));
    expect(Math.abs(x.mean! - mean) / mean).toBeLessThan(1e-14);
    expect(Math.abs(x.std! - std) / std).toBeLessThan(1e-9);
    expect(x.sample.kind === 'numeric' && x.sample.sorted.n).toBe(finite.length);
    const c = column(profile, 'c');
    expect(c.sample).toEqual({ kind: 'categorical', counts: new Map([['a', 1667], ['b', 1667], ['ü', 1666]]), n: 5_000 });
    expect([c.min, c.max, c.mean, c.std]).toEqual([null, null, null, null]);
  });

  it('gives the same profile streamed in chunks as in one table', () => {
    const random = seeded(12);
    const values = Float64Array.from({ length: 30_000 }, () => (random() < 0.01 ? Number.NaN : random() * 100 - 50));
    const whole = profileTable(numericTable('v', values));
    const builder = new ProfileBuilder();
    for (let start = 0; start < values.length; start += 7_000) builder.add(numericTable('v', values.slice(start, start + 7_000)));
    const streamed = builder.finish();
    const [a, b] = [column(whole, 'v'), column(streamed, 'v')];
    expect([b.total, b.missing, b.min, b.max]).toEqual([a.total, a.missing, a.min, a.max]);
    expect(b.mean).toBeCloseTo(a.mean!, 12);
    expect(b.std).toBeCloseTo(a.std!, 12);
    expect(b.sample.kind === 'numeric' && Array.from(b.sample.sorted.values)).toEqual(a.sample.kind === 'numeric' && Array.from(a.sample.sorted.values));
  });

  it('counts type mismatches apart from missing cells, and rows of chunks that lack a column as missing', () => {
    const builder = new ProfileBuilder();
    builder.add(numericTable('a', Float64Array.from([1, Number.NaN, Number.NaN, 4]), 1));
    builder.add(tableFromRecords([{ b: 'x' }, { b: 'y' }]));
    builder.add(tableFromRecords([{ a: 'text', b: 'x' }]));
    const profile = builder.finish();
    expect(profile.rows).toBe(7);
    const a = column(profile, 'a');
    expect([a.total, a.missing, a.typeMismatches]).toEqual([7, 3, 2]);
    const b = column(profile, 'b');
    expect([b.total, b.missing]).toEqual([7, 4]);
    expect(b.sample.kind === 'categorical' && b.sample.n).toBe(3);
  });

  it('keeps value counts of a numeric column while it has at most DISTINCT_LIMIT distinct values', () => {
    const few = profileTable(numericTable('v', Float64Array.from({ length: 10_000 }, (_, i) => i % DISTINCT_LIMIT)));
    const v = column(few, 'v');
    expect(v.sample.kind === 'numeric' && v.sample.distinct?.size).toBe(DISTINCT_LIMIT);
    expect(v.sample.kind === 'numeric' && v.sample.distinct?.get(3)).toBe(10);
    const many = column(profileTable(numericTable('v', Float64Array.from({ length: 10_000 }, (_, i) => i % (DISTINCT_LIMIT + 1)))), 'v');
    expect(many.sample.kind === 'numeric' && many.sample.distinct).toBeNull();
  });

  it('profiles 10,000,000 rows streamed in chunks into a sketch whose stored size × 50 columns is under 100 MB', () => {
    const random = seeded(13);
    const builder = new ProfileBuilder();
    const chunk = 200_000;
    for (let start = 0; start < 10_000_000; start += chunk) {
      builder.add(numericTable('v', Float64Array.from({ length: chunk }, () => Math.log(random() + 1e-12) * 3)));
    }
    const profile = builder.finish();
    const v = column(profile, 'v');
    expect(v.total).toBe(10_000_000);
    expect(v.sample.kind === 'numeric' && v.sample.sorted.weights !== null).toBe(true);
    const perColumn = encodeProfile(profile).length;
    expect(perColumn * 50).toBeLessThan(100_000_000);
  }, 120_000);
});

describe('current sample', () => {
  it('keeps finite values only, sorted, with value counts', () => {
    const sample = currentSample(numericTable('v', Float64Array.from([3, Number.NaN, -Infinity, 1, 3, -0, 0])).columns[0]!);
    expect(sample.kind).toBe('numeric');
    if (sample.kind !== 'numeric') return;
    expect(Array.from(sample.sorted.values)).toEqual([-0, 0, 1, 3, 3]);
    expect(sample.sorted.n).toBe(5);
    expect(sample.distinct).toEqual(new Map([[0, 2], [1, 1], [3, 2]]));
    const categorical = currentSample(tableFromRecords([{ c: 'a' }, { c: null }, { c: 'a' }, { c: 'b' }]).columns[0]!);
    expect(categorical).toEqual({ kind: 'categorical', counts: new Map([['a', 2], ['b', 1]]), n: 3 });
  });

  it('sorts a million values (speed is in npm run bench, not here)', () => {
    const random = seeded(14);
    const table = numericTable('v', Float64Array.from({ length: 1_000_000 }, () => random() * 1e6));
    const sample = currentSample(table.columns[0]!);
    expect(sample.kind === 'numeric' && sample.distinct).toBeNull();
    const values = sample.kind === 'numeric' ? sample.sorted.values : new Float64Array();
    expect(values.every((v, i) => i === 0 || values[i - 1]! <= v)).toBe(true);
    const expected = Float64Array.from(table.columns[0]!.numbers!).sort();
    expect(values.length).toBe(expected.length);
    expect(values.every((v, i) => Object.is(v, expected[i]))).toBe(true);
  });
});
