import { describe, expect, it } from 'vitest';
import { sortedFinite } from '../../../electron/services/monitoring/profile/fast-sort';

/** What the radix sort must equal: the finite values through Float64Array's own sort. */
function nativeSorted(values: Float64Array): Float64Array {
  return values.filter((v) => Number.isFinite(v)).sort();
}

/** Element for element, with -0 and +0 told apart (toEqual would not). */
function expectSameBits(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length * 2);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length * 2);
  const firstDifference = a.findIndex((word, i) => word !== e[i]);
  expect(firstDifference === -1 ? -1 : `index ${firstDifference >> 1}: ${actual[firstDifference >> 1]} vs ${expected[firstDifference >> 1]}`).toBe(-1);
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function sample(n: number, seed: number, draw: (u: () => number, i: number) => number): Float64Array {
  const u = seeded(seed);
  return Float64Array.from({ length: n }, (_, i) => draw(u, i));
}

describe('sortedFinite: the native sort order, by radix', () => {
  const cases: Array<[string, Float64Array]> = [
    ['uniform in [-1e6, 1e6)', sample(50_000, 1, (u) => (u() - 0.5) * 2e6)],
    ['normal-ish', sample(50_000, 2, (u) => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u()))],
    ['duplicate-heavy (8 values)', sample(40_000, 3, (u) => [3, -1, 0, 2.5, -7.25, 1e-300, 42, -0.5][Math.floor(u() * 8)]!)],
    ['rounded to cents', sample(30_000, 4, (u) => Math.round((u() - 0.5) * 20_000) / 100)],
    ['integers', sample(30_000, 5, (u) => Math.floor(u() * 50) - 25)],
    ['all one value', new Float64Array(10_000).fill(7.5)],
    [
      '-0, +0, subnormals and extremes',
      sample(20_000, 6, (u) => [-0, 0, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, 2.2250738585072014e-308, -1e-310, 1, -1][Math.floor(u() * 10)]!),
    ],
    ['already sorted', Float64Array.from({ length: 10_000 }, (_, i) => i / 3 - 1000)],
    ['descending', Float64Array.from({ length: 10_000 }, (_, i) => 1000 - i * 1.5)],
    ['few values (native path)', Float64Array.from([3, -0, 0, -2, 1e308, -1e-308, 0.1])],
  ];

  for (const [name, values] of cases) {
    it(`${name}: equal to Float64Array.prototype.sort, bit for bit`, () => {
      const before = values.slice();
      expectSameBits(sortedFinite(values), nativeSorted(values));
      // The column itself is left as it was.
      expectSameBits(values, before);
    });
  }

  it('leaves out NaN and ±Infinity wherever they are', () => {
    const values = sample(30_000, 7, (u, i) => (i % 11 === 0 ? [Number.NaN, Infinity, -Infinity][i % 3]! : (u() - 0.5) * 100));
    const sorted = sortedFinite(values);
    expect(sorted.length).toBe(values.length - Math.ceil(values.length / 11));
    expect(sorted.every((v) => Number.isFinite(v))).toBe(true);
    expectSameBits(sorted, nativeSorted(values));
  });

  it('puts -0 before +0, as the native sort does', () => {
    const values = new Float64Array(5000);
    for (let i = 0; i < values.length; i++) values[i] = i % 2 ? 0 : -0;
    const sorted = sortedFinite(values);
    expect(Object.is(sorted[0], -0)).toBe(true);
    expect(Object.is(sorted[2499], -0)).toBe(true);
    expect(Object.is(sorted[2500], 0)).toBe(true);
  });

  it('sorts a view into a larger buffer, and an empty or all-missing column to nothing', () => {
    const buffer = sample(12_000, 8, (u) => u() * 10 - 5);
    const view = buffer.subarray(1000, 11_000);
    expectSameBits(sortedFinite(view), nativeSorted(view));
    expect(sortedFinite(new Float64Array(0)).length).toBe(0);
    expect(sortedFinite(new Float64Array(4000).fill(Number.NaN)).length).toBe(0);
  });
});
