import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cramerVonMisesTwoSample } from '../../../../electron/services/monitoring/stats/cramer-von-mises';
import { ksTwoSample } from '../../../../electron/services/monitoring/stats/ks-two-sample';
import { sortedSampleOf } from '../../../../electron/services/monitoring/stats/samples';
import { dockerAvailable } from '../../../helpers/requirements';
import { tempDir } from '../../../helpers/temp-dir';
import { twoSampleCases, type TwoSampleCase } from './ks-cvm-cases';

/**
 * The KS and Cramér-von Mises tests against scipy 1.10.1 in the local Python image, on the same
 * seeded samples: the values go to the container as one float64 file mounted read-only, and all
 * cases run in one container. |statistic − scipy| ≤ 1e-9 and |p − scipy| ≤ 1e-6 for every case.
 */
const IMAGE = 'orrery/python:local';
const haveDocker = await dockerAvailable();

const SCRIPT = `
import json, sys
import numpy as np
from scipy import stats
manifest = json.load(sys.stdin)
values = np.fromfile('/data/values.bin', dtype='<f8')
out = []
for case in manifest:
    ref = values[case['refAt']:case['refAt'] + case['refLen']]
    cur = values[case['curAt']:case['curAt'] + case['curLen']]
    ks = stats.ks_2samp(ref, cur, alternative='two-sided', method='auto')
    row = {'name': case['name'], 'ks': [float(ks.statistic), float(ks.pvalue)]}
    if len(ref) >= 2 and len(cur) >= 2:
        cvm = stats.cramervonmises_2samp(ref, cur, method='auto')
        row['cvm'] = [float(cvm.statistic), float(cvm.pvalue)]
    out.append(row)
print(json.dumps(out))
`;

interface ScipyRow {
  name: string;
  ks: [number, number];
  cvm?: [number, number];
}

/** Writes every case's values to one file and has scipy test them all in one container. */
async function scipyResults(cases: TwoSampleCase[]): Promise<ScipyRow[]> {
  const dir = tempDir('orrery-ks-cvm-');
  fs.chmodSync(dir, 0o755); // the image runs as an unprivileged user
  const total = cases.reduce((sum, c) => sum + c.reference.length + c.current.length, 0);
  const all = new Float64Array(total);
  let at = 0;
  const manifest = cases.map((c) => {
    all.set(c.reference, at);
    all.set(c.current, at + c.reference.length);
    const entry = { name: c.name, refAt: at, refLen: c.reference.length, curAt: at + c.reference.length, curLen: c.current.length };
    at += c.reference.length + c.current.length;
    return entry;
  });
  const file = path.join(dir, 'values.bin');
  fs.writeFileSync(file, new Uint8Array(all.buffer));
  fs.chmodSync(file, 0o644);
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      'docker',
      ['run', '--rm', '--network', 'none', '-i', '-v', `${dir}:/data:ro`, IMAGE, 'python3', '-c', SCRIPT],
      { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
      (error, out, err) => (error ? reject(new Error(`scipy run failed: ${err.trim() || error.message}`)) : resolve(out)),
    );
    child.stdin?.end(JSON.stringify(manifest));
  });
  return JSON.parse(stdout) as ScipyRow[];
}

/** Python's json writes NaN as NaN, Infinity as Infinity; neither is expected here. */
function expectClose(actual: number, expected: number, tolerance: number, what: string): void {
  expect(Number.isFinite(actual), `${what}: ${actual}`).toBe(true);
  expect(Math.abs(actual - expected), `${what}: ours ${actual}, scipy ${expected}`).toBeLessThanOrEqual(tolerance);
}

describe.skipIf(!haveDocker)('KS and Cramér-von Mises equal scipy 1.10.1', () => {
  const cases = twoSampleCases();
  let scipy: ScipyRow[] = [];

  beforeAll(async () => {
    scipy = await scipyResults(cases);
  }, 300_000);

  it('ks_2samp(method="auto"): statistic within 1e-9 and p-value within 1e-6 in every regime', () => {
    expect(scipy.map((row) => row.name)).toEqual(cases.map((c) => c.name));
    const methods = new Set<string>();
    cases.forEach((c, i) => {
      const ours = ksTwoSample(sortedSampleOf(c.reference), sortedSampleOf(c.current));
      const [statistic, pValue] = scipy[i]!.ks;
      expectClose(ours.statistic, statistic, 1e-9, `${c.name} KS statistic`);
      expectClose(ours.pValue, pValue, 1e-6, `${c.name} KS p-value`);
      expect(ours.errorBound).toBe(0);
      methods.add(ours.method);
    });
    expect([...methods].sort()).toEqual(['asymp', 'exact']);
    // The cases reach both ends of the p-value range: no drift at all, and certain drift.
    const pValues = scipy.map((row) => row.ks[1]);
    expect(Math.max(...pValues)).toBe(1);
    expect(Math.min(...pValues)).toBeLessThan(1e-12);
  });

  it('cramervonmises_2samp(method="auto"): statistic within 1e-9 and p-value within 1e-6, exact and asymptotic', () => {
    const methods = new Set<string>();
    let compared = 0;
    cases.forEach((c, i) => {
      const row = scipy[i]!;
      if (row.cvm === undefined) return;
      const ours = cramerVonMisesTwoSample(sortedSampleOf(c.reference), sortedSampleOf(c.current));
      expectClose(ours.statistic, row.cvm[0], 1e-9, `${c.name} CvM statistic`);
      expectClose(ours.pValue, row.cvm[1], 1e-6, `${c.name} CvM p-value`);
      methods.add(ours.method);
      compared++;
    });
    expect(compared).toBe(cases.length - 2); // all but the two with a one-value sample
    expect([...methods].sort()).toEqual(['asymptotic', 'exact']);
  });
});
