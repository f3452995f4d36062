import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InlineCompute } from '../../../electron/services/monitoring/compute/monitoring-compute';
import { tableFromRecords } from '../../../electron/services/monitoring/data/column-table';
import { checkDrift, driftScore } from '../../../electron/services/monitoring/drift-check';
import { profileTable } from '../../../electron/services/monitoring/profile/reference-profile';

/** Seeded normal values (Box-Muller over a small LCG), so every run sees the same data. */
function normals(n: number, seed: number, mean = 0, sd = 1): number[] {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
}

function records(n: number, seed: number, shift = 0, cityShare = 0.3) {
  const xs = normals(n, seed, shift);
  const ys = normals(n, seed + 1);
  return xs.map((x, i) => ({ x, y: ys[i]!, city: (i % 100) / 100 < cityShare ? 'Lyon' : 'Paris' }));
}

const options = { driftShare: 0.5, minRows: 30, methods: {} };
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-drift-check-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('a current dataset against a reference profile', () => {
  const reference = profileTable(tableFromRecords(records(800, 1)));

  it('finds no drift in data drawn like the reference, with the small-reference tests (KS, Z)', () => {
    const { report } = checkDrift(reference, tableFromRecords(records(600, 7)), options);
    expect(report.datasetDrift).toBe(false);
    expect(report.columns.map((c) => [c.column, c.method, c.drift])).toEqual([
      ['x', 'ks', false],
      ['y', 'ks', false],
      ['city', 'z', false],
    ]);
    for (const c of report.columns) expect(c.pValue).toBeGreaterThan(0.05);
  });

  it('flags a shifted column and a changed category mix, and says how big the shift is', () => {
    const { report, distributions } = checkDrift(reference, tableFromRecords(records(600, 7, 0.8, 0.7)), options);
    const byName = Object.fromEntries(report.columns.map((c) => [c.column, c]));
    expect(byName.x!.drift).toBe(true);
    expect(byName.x!.pValue).toBeLessThan(1e-6);
    expect(byName.x!.effect!.text).toMatch(/σ/);
    expect(byName.y!.drift).toBe(false);
    expect(byName.city!.drift).toBe(true);
    expect(report.driftedColumns).toBe(2);
    expect(report.datasetDrift).toBe(true);
    expect(byName.x!.score).toBe(1);
    // The bars a user compares: reference and current shares over the same bins, each summing to 1.
    const x = distributions.find((d) => d.column === 'x')!;
    expect(x.labels.length).toBeGreaterThan(5);
    expect(x.reference.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(x.current.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('uses Wasserstein and Jensen-Shannon once the reference has more than 1,000 rows', () => {
    const big = profileTable(tableFromRecords(records(1500, 3)));
    const { report } = checkDrift(big, tableFromRecords(records(600, 9, 0.5)), options);
    expect(report.columns.map((c) => c.method)).toEqual(['wasserstein', 'wasserstein', 'jensenshannon']);
    expect(report.columns[0]!.basis).toBe('distance');
    expect(report.columns[0]!.drift).toBe(true);
  });

  it('gives "not enough data" rather than a verdict for a small window, and schema drift for a missing column', () => {
    const few = records(10, 5).map(({ x, city }) => ({ x, city, extra: 1 }));
    const { report } = checkDrift(reference, tableFromRecords(few), options);
    const byName = Object.fromEntries(report.columns.map((c) => [c.column, c]));
    expect(byName.x!.drift).toBeNull();
    expect(byName.x!.note).toMatch(/not enough data: 10 values, at least 30 needed/);
    expect(byName.y!.note).toMatch(/missing from the current data/);
    expect(report.datasetDrift).toBeNull();
    expect(report.quality.missingColumns).toEqual(['y']);
    expect(report.quality.extraColumns).toEqual(['extra']);
  });

  it('a column that is all missing is not enough data, and counted as missing in data quality', () => {
    const blank = records(100, 5).map(({ y, city }) => ({ x: null, y, city }));
    const { report } = checkDrift(reference, tableFromRecords(blank, new Map([['x', 'numeric']])), options);
    const x = report.columns.find((c) => c.column === 'x')!;
    expect(x.drift).toBeNull();
    expect(report.quality.columns.find((c) => c.column === 'x')!.missingShare).toBe(1);
  });

  it('refuses a numeric-only method on a categorical column, naming both', () => {
    expect(() => checkDrift(reference, tableFromRecords(records(100, 5)), { ...options, methods: { city: { method: 'ks', threshold: null } } })).toThrow(/'ks' tests numeric columns only, and 'city' is categorical/);
  });

  it('scores 0.5 exactly at the threshold, more past it', () => {
    expect(driftScore('distance', 0.1, null, 0.1)).toBe(0.5);
    expect(driftScore('distance', 0.3, null, 0.1)).toBe(1);
    expect(driftScore('p-value', 0, 0.05, 0.05)).toBeCloseTo(0.5, 12);
    expect(driftScore('p-value', 0, 0.0025, 0.05)).toBeCloseTo(1, 12);
    expect(driftScore('p-value', 0, 0.9, 0.05)).toBeLessThan(0.05);
  });
});

describe('comparing two files', () => {
  const write = (name: string, rows: ReturnType<typeof records>) => {
    const file = path.join(root, name);
    fs.writeFileSync(file, ['x,y,city', ...rows.map((r) => `${r.x},${r.y},${r.city}`)].join('\n') + '\n');
    return file;
  };

  it('reads both CSVs, tests the target like any column, and returns the report and distributions', async () => {
    const compute = new InlineCompute();
    const reference = write('ref.csv', records(900, 11));
    const current = write('cur.csv', records(900, 12, 1));
    const { report, distributions } = await compute.run({ type: 'compare-files', reference, current, kinds: {}, methods: {}, driftShare: 0.5, minRows: 1, target: 'city' });
    expect(report.columns.find((c) => c.column === 'city')!.role).toBe('target');
    expect(report.columns.find((c) => c.column === 'x')!.drift).toBe(true);
    expect(distributions.map((d) => d.column)).toEqual(['x', 'y', 'city']);
  });

  it('names a target that is not in the reference', async () => {
    const compute = new InlineCompute();
    const reference = write('ref2.csv', records(50, 11));
    await expect(compute.run({ type: 'compare-files', reference, current: reference, kinds: {}, methods: {}, driftShare: 0.5, minRows: 1, target: 'label' })).rejects.toThrow(/target: column 'label' is not in/);
  });
});
