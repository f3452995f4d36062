import { execFile } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { binnedShares, histogramCounts, sturgesEdges } from '../../../../electron/services/monitoring/stats/binning';
import { chiSquareTest } from '../../../../electron/services/monitoring/stats/chi-square';
import { hellingerTest } from '../../../../electron/services/monitoring/stats/hellinger';
import { jensenShannonTest } from '../../../../electron/services/monitoring/stats/jensen-shannon';
import { klDivergenceTest } from '../../../../electron/services/monitoring/stats/kl-divergence';
import { psiTest } from '../../../../electron/services/monitoring/stats/psi';
import type { ColumnSample } from '../../../../electron/services/monitoring/stats/samples';
import { normedWassersteinDistance, wassersteinDistance } from '../../../../electron/services/monitoring/stats/wasserstein';
import { zTest } from '../../../../electron/services/monitoring/stats/z-test';
import { dockerAvailable } from '../../../helpers/requirements';
import { categoricalSample, categories, numericSample, weightedSortedSample } from './column-samples';
import { integers, normals, seededUniform } from './ks-cvm-cases';

/**
 * Chi-square, Z, Wasserstein, Jensen-Shannon, PSI, KL and Hellinger, the Sturges edges and the
 * histogram counts against scipy 1.10.1 / numpy 1.24 in the local Python image, on seeded data with
 * known shifts and with none. The binned statistics are Evidently's formulas written out in numpy.
 * All cases go to one container as JSON on stdin. Statistics within 1e-9, p-values within 1e-6.
 */
const IMAGE = 'orrery/python:local';
const haveDocker = await dockerAvailable();

const SCRIPT = String.raw`
import json, sys
from collections import Counter
import numpy as np
from scipy import stats
from scipy.spatial import distance

def num(x):
    x = float(x)
    return x if np.isfinite(x) else str(x)

def by_value(ref, cur):
    keys = list(set(ref) | set(cur))
    rc, cc = Counter(ref), Counter(cur)
    return keys, np.array([rc[k] for k in keys], float), np.array([cc[k] for k in keys], float)

def fill(a):
    smallest = a[a != 0].min()
    np.place(a, a == 0, smallest / 10**6 if smallest <= 0.0001 else 0.0001)

def binned(ref, cur, numeric, fill_zeros):
    if numeric and len(set(ref)) > 20:
        edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins='sturges')
        r = np.histogram(ref, edges)[0] / len(ref)
        c = np.histogram(cur, edges)[0] / len(cur)
    else:
        _, rc, cc = by_value(list(ref), list(cur))
        r, c = rc / len(ref), cc / len(cur)
    if fill_zeros:
        fill(r); fill(c)
    return r, c

def hellinger(ref, cur, numeric):
    keys = list(set(ref) | set(cur))
    if not numeric:
        rc, cc = Counter(ref), Counter(cur)
        bc = sum(np.sqrt(rc[k] / len(ref) * cc[k] / len(cur)) for k in keys)
    else:
        edges = np.histogram_bin_edges(keys, bins='sturges')
        h1 = np.histogram(ref, bins=edges, density=True)[0]
        h2 = np.histogram(cur, bins=edges, density=True)[0]
        width = (max(edges) - min(edges)) / (len(edges) - 1)
        bc = 0.0
        for a, b in zip(h1, h2):
            bc += np.sqrt(a * b) * width
    return float(np.sqrt(1 - np.clip(bc, 0, 1)))

def chisquare(ref, cur):
    keys, rc, cc = by_value(list(ref), list(cur))
    res = stats.chisquare(cc, rc * (len(cur) / len(ref)))
    return [num(res.statistic), num(res.pvalue)]

def ztest(ref, cur):
    keys = sorted(set(ref) | set(cur))
    if len(keys) == 1:
        return [0.0, 1.0]
    n1, n2 = len(ref), len(cur)
    p1 = sum(1 for x in ref if x != keys[0]) / n1
    p2 = sum(1 for x in cur if x != keys[0]) / n2
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return [num(z), num(2 * (1 - stats.norm.cdf(abs(z))))]

out = []
for case in json.load(sys.stdin):
    numeric = case['kind'] == 'numeric'
    ref = np.array(case['ref'], float) if numeric else case['ref']
    cur = np.array(case['cur'], float) if numeric else case['cur']
    r, c = binned(ref, cur, numeric, True)
    rn, cn = binned(ref, cur, numeric, False)
    row = {
        'name': case['name'],
        'chisquare': chisquare(ref, cur),
        'z': ztest(ref, cur),
        'psi': num(np.sum((r - c) * np.log(r / c))),
        'kl': num(stats.entropy(r, c)),
        'js': num(distance.jensenshannon(rn, cn)),
        'hellinger': hellinger(ref, cur, numeric),
        'shares': [sorted(map(float, rn)), sorted(map(float, cn))],
    }
    if numeric:
        both = np.concatenate([ref, cur])
        edges = np.histogram_bin_edges(both, bins='sturges')
        row['edges'] = list(map(float, edges))
        row['counts'] = [list(map(int, np.histogram(ref, edges)[0])), list(map(int, np.histogram(cur, edges)[0]))]
        row['wasserstein'] = float(stats.wasserstein_distance(ref, cur))
        row['normed'] = float(stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001))
        ru, rw = np.unique(ref, return_counts=True)
        row['weighted'] = float(stats.wasserstein_distance(ru, cur, u_weights=rw))
    out.append(row)
print(json.dumps(out))
`;

interface Case {
  name: string;
  reference: ColumnSample;
  current: ColumnSample;
  ref: number[] | string[];
  cur: number[] | string[];
}

type Scalar = number | string;
interface ScipyRow {
  name: string;
  chisquare: [Scalar, Scalar];
  z: [Scalar, Scalar];
  psi: Scalar;
  kl: Scalar;
  js: Scalar;
  hellinger: number;
  shares: [number[], number[]];
  edges?: number[];
  counts?: [number[], number[]];
  wasserstein?: number;
  normed?: number;
  weighted?: number;
}

function numericCase(name: string, ref: Float64Array, cur: Float64Array): Case {
  return { name, reference: numericSample(ref), current: numericSample(cur), ref: [...ref], cur: [...cur] };
}

function categoricalCase(name: string, ref: string[], cur: string[]): Case {
  return { name, reference: categoricalSample(ref), current: categoricalSample(cur), ref, cur };
}

function cases(): Case[] {
  const u = seededUniform(2024);
  const colors = ['red', 'green', 'blue', 'amber', 'violet'];
  const draw = (seed: number, n: number, names: readonly string[], weights: readonly number[]) =>
    categories(seededUniform(seed), n, names, weights);
  return [
    numericCase('normal, no shift, 500 / 400', normals(1, 500), normals(2, 400)),
    numericCase('normal, mean +0.5, 2,000 / 1,500', normals(3, 2000), normals(4, 1500, 0.5)),
    numericCase('normal, scale ×1.5, 5,000 / 3,000', normals(5, 5000), normals(6, 3000, 0, 1.5)),
    numericCase('normal, mean +0.02, 200,000 / 100,000', normals(7, 200_000), normals(8, 100_000, 0.02)),
    numericCase('far from zero (1e6 + 0.1·normal), shift', normals(9, 3000, 1e6, 0.1), normals(10, 2000, 1e6 + 0.01, 0.1)),
    numericCase('4 levels, no shift (by value)', integers(11, 3000, 4), integers(12, 2000, 4)),
    numericCase('4 levels vs 5 levels (a new value)', integers(13, 3000, 4), integers(14, 2000, 5)),
    numericCase('20 distinct reference values (by value)', integers(15, 4000, 20), integers(16, 3000, 20, 1)),
    numericCase('21 distinct reference values (histogram)', integers(17, 4000, 21), integers(18, 3000, 21)),
    numericCase('60 levels, current misses the top (empty bins)', integers(19, 5000, 60), integers(20, 4000, 30)),
    numericCase('0/1, rate 0.3 vs 0.36', Float64Array.from({ length: 4000 }, () => (u() < 0.3 ? 1 : 0)), Float64Array.from({ length: 3000 }, () => (u() < 0.36 ? 1 : 0))),
    numericCase('constant, same value', new Float64Array(50).fill(7), new Float64Array(30).fill(7)),
    categoricalCase('5 colors, no shift', draw(31, 3000, colors, [5, 4, 3, 2, 1]), draw(32, 2500, colors, [5, 4, 3, 2, 1])),
    categoricalCase('5 colors, shifted', draw(33, 3000, colors, [5, 4, 3, 2, 1]), draw(34, 2500, colors, [1, 2, 3, 4, 5])),
    categoricalCase('a rare category missing from current', draw(35, 20_000, colors, [5000, 3000, 2000, 1, 1]), draw(36, 800, colors.slice(0, 3), [5, 3, 2])),
    categoricalCase('two categories, 50/50 vs 45/55', draw(37, 2000, ['no', 'yes'], [1, 1]), draw(38, 2000, ['no', 'yes'], [45, 55])),
    categoricalCase(
      'a 1-in-10,000 category in reference, a new one in current (fill = smallest share / 10^6)',
      [...Array<string>(6000).fill('red'), ...Array<string>(3999).fill('green'), 'amber'],
      draw(41, 800, ['red', 'green', 'violet'], [5, 3, 2]),
    ),
    categoricalCase('a category only current has', draw(39, 1000, colors.slice(0, 3), [1, 1, 1]), draw(40, 900, colors.slice(0, 4), [1, 1, 1, 1])),
  ];
}

async function scipyResults(all: Case[]): Promise<ScipyRow[]> {
  const input = JSON.stringify(all.map((c) => ({ name: c.name, kind: c.reference.kind, ref: c.ref, cur: c.cur })));
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      'docker',
      ['run', '--rm', '--network', 'none', '-i', IMAGE, 'python3', '-W', 'ignore', '-c', SCRIPT],
      { timeout: 240_000, maxBuffer: 64 * 1024 * 1024 },
      (error, out, err) => (error ? reject(new Error(`scipy run failed: ${err.trim() || error.message}`)) : resolve(out)),
    );
    child.stdin?.end(input);
  });
  return JSON.parse(stdout) as ScipyRow[];
}

/** Python writes inf / nan as strings here (JSON has no such numbers). */
function value(x: Scalar): number {
  return typeof x === 'number' ? x : Number(x.replace('inf', 'Infinity'));
}

function expectClose(actual: number, expected: Scalar, tolerance: number, what: string): void {
  const want = value(expected);
  if (!Number.isFinite(want)) {
    expect(actual, what).toBe(want);
    return;
  }
  expect(Math.abs(actual - want), `${what}: ours ${actual}, expected ${want}`).toBeLessThanOrEqual(tolerance);
}

describe.skipIf(!haveDocker)('chi-square, Z, Wasserstein and the binned distances equal scipy / numpy', () => {
  const all = cases();
  let scipy: ScipyRow[] = [];

  beforeAll(async () => {
    scipy = await scipyResults(all);
  }, 300_000);

  const each = (check: (c: Case, row: ScipyRow) => void) => {
    expect(scipy.map((row) => row.name)).toEqual(all.map((c) => c.name));
    all.forEach((c, i) => check(c, scipy[i]!));
  };

  it('Sturges edges and histogram counts equal numpy for every numeric case', () => {
    each((c, row) => {
      if (c.reference.kind !== 'numeric' || c.current.kind !== 'numeric') return;
      const edges = sturgesEdges(c.reference.sorted, c.current.sorted);
      expect(edges.length, `${c.name} edges`).toBe(row.edges!.length);
      edges.forEach((edge, i) => expectClose(edge, row.edges![i]!, 1e-12 * Math.max(1, Math.abs(edge)), `${c.name} edge ${i}`));
      expect([...histogramCounts(c.reference.sorted, edges)], `${c.name} reference counts`).toEqual(row.counts![0]);
      expect([...histogramCounts(c.current.sorted, edges)], `${c.name} current counts`).toEqual(row.counts![1]);
    });
  });

  it("binned shares equal Evidently's get_binned_data (without zero filling)", () => {
    each((c, row) => {
      const shares = binnedShares(c.reference, c.current, false);
      const sorted = (a: Float64Array) => [...a].sort((x, y) => x - y);
      expect(sorted(shares.reference), `${c.name} reference shares`).toEqual(row.shares[0]);
      expect(sorted(shares.current), `${c.name} current shares`).toEqual(row.shares[1]);
    });
  });

  it('chi-square statistic within 1e-9 and p-value within 1e-6 of scipy.stats.chisquare', () => {
    each((c, row) => {
      const ours = chiSquareTest(c.reference, c.current);
      if (row.chisquare[1] === 'nan') {
        // One value on both sides: scipy has no degrees of freedom (NaN); ours reads "no drift".
        expect(ours).toEqual({ statistic: 0, pValue: 1 });
        return;
      }
      expectClose(ours.statistic, row.chisquare[0], 1e-9 * Math.max(1, Math.abs(ours.statistic)), `${c.name} chi-square statistic`);
      expectClose(ours.pValue, row.chisquare[1], 1e-6, `${c.name} chi-square p`);
    });
    // Both ends: a shifted column is certain drift, an unshifted one is not.
    expect(chiSquareTest(all[13]!.reference, all[13]!.current).pValue).toBeLessThan(1e-12);
    expect(chiSquareTest(all[12]!.reference, all[12]!.current).pValue).toBeGreaterThan(0.05);
  });

  it('Z statistic within 1e-9 and p-value within 1e-6 of the two-proportion test in numpy / scipy', () => {
    each((c, row) => {
      const ours = zTest(c.reference, c.current);
      expectClose(ours.statistic, row.z[0], 1e-9, `${c.name} z`);
      expectClose(ours.pValue, row.z[1], 1e-6, `${c.name} z p`);
    });
  });

  it('Wasserstein distance (plain, normed, weighted reference) within 1e-9 of scipy.stats.wasserstein_distance', () => {
    each((c, row) => {
      if (c.reference.kind !== 'numeric' || c.current.kind !== 'numeric') return;
      const tolerance = 1e-9 * Math.max(1, row.wasserstein!);
      expectClose(wassersteinDistance(c.reference.sorted, c.current.sorted), row.wasserstein!, tolerance, `${c.name} wasserstein`);
      expectClose(normedWassersteinDistance(c.reference.sorted, c.current.sorted).statistic, row.normed!, 1e-9 * Math.max(1, row.normed!), `${c.name} normed`);
      const weighted = weightedSortedSample(c.ref as number[]);
      expectClose(wassersteinDistance(weighted, c.current.sorted), row.weighted!, tolerance, `${c.name} weighted`);
    });
  });

  it('PSI, KL divergence, Jensen-Shannon and Hellinger within 1e-9 of the Evidently formulas in numpy', () => {
    each((c, row) => {
      expectClose(psiTest(c.reference, c.current), row.psi, 1e-9, `${c.name} psi`);
      expectClose(klDivergenceTest(c.reference, c.current), row.kl, 1e-9, `${c.name} kl`);
      expectClose(jensenShannonTest(c.reference, c.current), row.js, 1e-9, `${c.name} js`);
      expectClose(hellingerTest(c.reference, c.current), row.hellinger, 1e-9, `${c.name} hellinger`);
    });
  });
});
