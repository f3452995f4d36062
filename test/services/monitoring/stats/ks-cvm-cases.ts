/**
 * Seeded samples for the KS and Cramér-von Mises scipy comparisons: every regime of both tests
 * (tiny, exact, the exact/asymptotic borders, asymptotic, a million values), with known shifts and
 * with none, ties, identical samples and all-equal samples.
 */

/** mulberry32: a small seeded generator, so the same seed gives the same data on every run. */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n standard-normal values (Box-Muller) times `scale`, plus `shift`. */
export function normals(seed: number, n: number, shift = 0, scale = 1): Float64Array {
  const uniform = seededUniform(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    out[i] = shift + scale * r * Math.cos(angle);
    if (i + 1 < n) out[i + 1] = shift + scale * r * Math.sin(angle);
  }
  return out;
}

/** n integers in [0, levels), so most values are tied. */
export function integers(seed: number, n: number, levels: number, offset = 0): Float64Array {
  const uniform = seededUniform(seed);
  return Float64Array.from({ length: n }, () => Math.floor(uniform() * levels) + offset);
}

export interface TwoSampleCase {
  name: string;
  reference: Float64Array;
  current: Float64Array;
}

const constant = (n: number, value: number): Float64Array => new Float64Array(n).fill(value);
const same = normals(77, 5000);

export function twoSampleCases(): TwoSampleCase[] {
  return [
    // tiny: every n = 1 … 10 shape the exact paths meet
    { name: '1 × 1', reference: Float64Array.of(0.5), current: Float64Array.of(1.5) },
    { name: '1 × 5', reference: Float64Array.of(0.2), current: normals(1, 5) },
    { name: '2 × 2 separated', reference: Float64Array.of(1, 2), current: Float64Array.of(3, 4) },
    { name: '3 × 7 ties', reference: integers(2, 3, 4), current: integers(3, 7, 4) },
    { name: '5 × 5 identical', reference: normals(4, 5), current: normals(4, 5) },
    { name: '10 × 10 shifted', reference: normals(5, 10), current: normals(6, 10, 1.5) },
    { name: '8 × 10 ties', reference: integers(7, 8, 3), current: integers(8, 10, 3, 1) },
    { name: '10 × 10 disjoint', reference: normals(9, 10), current: normals(10, 10, 20) },
    { name: '6 × 4 all equal', reference: constant(6, 1), current: constant(4, 1) },
    { name: '7 × 7 exact p rounds above 1', reference: Float64Array.of(0, 1, 2, 3, 4, 5, 6), current: Float64Array.of(0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5) },
    { name: '9 × 6 no shift', reference: normals(311, 9), current: normals(312, 6) },
    // CvM's exact/asymptotic border (max n = 20 / 21)
    { name: '20 × 20 shifted', reference: normals(13, 20), current: normals(14, 20, 0.8) },
    { name: '19 × 20 no shift', reference: normals(15, 19), current: normals(16, 20) },
    { name: '21 × 20 shifted', reference: normals(17, 21), current: normals(18, 20, 0.7) },
    // exact KS path
    { name: '500 × 800 no shift', reference: normals(19, 500), current: normals(20, 800) },
    { name: '500 × 800 shifted', reference: normals(21, 500), current: normals(22, 800, 0.3) },
    { name: '800 × 900 integer ties', reference: integers(23, 800, 12), current: integers(24, 900, 12) },
    { name: '1000 × 1000 shifted', reference: normals(25, 1000), current: normals(26, 1000, 0.1) },
    { name: '10000 × 3000 small shift', reference: normals(27, 10_000), current: normals(28, 3000, 0.05) },
    { name: '10000 × 10000 no shift', reference: normals(29, 10_000), current: normals(30, 10_000) },
    { name: '3000 × 2000 p near 0', reference: normals(31, 3000), current: normals(32, 2000, 1) },
    { name: '5000 × 5000 identical', reference: same, current: same.slice() },
    // asymptotic KS path, each regime of kstwo.sf(d, n)
    { name: '10001 × 10 (n = 10)', reference: normals(33, 10_001), current: normals(34, 10, 0.5) },
    { name: '12000 × 150 (n = 148)', reference: normals(35, 12_000), current: normals(36, 150, 0.2) },
    { name: '20000 × 5000 no shift', reference: normals(37, 20_000), current: normals(38, 5000) },
    { name: '20000 × 5000 shifted', reference: normals(39, 20_000), current: normals(40, 5000, 0.05) },
    { name: '20000 × 20000 all ties', reference: integers(41, 20_000, 5), current: integers(42, 20_000, 5) },
    { name: '100000 × 1000000 no shift', reference: normals(43, 100_000), current: normals(44, 1_000_000) },
    { name: '100000 × 1000000 shifted', reference: normals(45, 100_000), current: normals(46, 1_000_000, 0.01, 1.01) },
  ];
}
