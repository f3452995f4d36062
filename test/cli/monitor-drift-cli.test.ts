import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ColumnDistributionView, DriftReportView } from '../../shared/contract/monitoring';
import { orrery } from '../helpers/run-orrery';
import { tempDir } from '../helpers/temp-dir';

/** The built `orrery monitor drift` on CSV files written here: no running Orrery, as a pipeline runs it. */

/** Park–Miller: the same rows on every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

interface Shape {
  seed: number;
  rows?: number;
  ageShift?: number;
  scoreShift?: number;
  extraColumn?: boolean;
}

/** age ~ N(40, 10), score ~ U(0, 100), city one of four; shifts move the numeric columns. */
function writeCsv(file: string, shape: Shape): void {
  const next = random(shape.seed);
  const normal = () => Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  const lines = [`age,city,score${shape.extraColumn ? ',channel' : ''}`];
  for (let i = 0; i < (shape.rows ?? 400); i++) {
    const row = [(40 + 10 * normal() + (shape.ageShift ?? 0)).toFixed(2), ['north', 'south', 'east', 'west'][Math.floor(next() * 4)], (next() * 100 + (shape.scoreShift ?? 0)).toFixed(1)];
    if (shape.extraColumn) row.push(next() < 0.5 ? 'web' : 'app');
    lines.push(row.join(','));
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

/** The table row of one column, as printed. */
function rowOf(stdout: string, column: string): string {
  const row = stdout.split('\n').find((line) => line.startsWith(`${column} `));
  if (!row) throw new Error(`no row for ${column} in:\n${stdout}`);
  return row;
}

// Each test runs the built command several times; on a loaded 2-core machine one start takes seconds.
describe('orrery monitor drift', { timeout: 60_000 }, () => {
  let dir: string;
  const run = (...args: string[]) => orrery(['monitor', 'drift', ...args], { cwd: dir });

  beforeEach(() => {
    dir = tempDir();
    writeCsv(path.join(dir, 'reference.csv'), { seed: 11 });
    writeCsv(path.join(dir, 'same.csv'), { seed: 12 });
    writeCsv(path.join(dir, 'shifted.csv'), { seed: 13, ageShift: 15, scoreShift: 30 });
  });

  it('data from the same distribution: one row per column, no dataset drift, exit 0', async () => {
    const result = await run('--reference', 'reference.csv', '--current', 'same.csv');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    // Relative paths are the caller's folder.
    expect(lines[0]).toBe(`Reference ${path.join(dir, 'reference.csv')}: 400 rows; current ${path.join(dir, 'same.csv')}: 400 rows`);
    expect(lines[2]).toMatch(/^COLUMN +KIND +METHOD +STATISTIC +P-VALUE +THRESHOLD +DRIFT +EFFECT \/ NOTE$/);
    expect(rowOf(result.stdout, 'age')).toMatch(/^age +numeric +ks +0\.\d+ +0\.\d+ +p ≤ 0\.05 +no drift +mean moved [+−]0\.\d\d σ$/);
    expect(rowOf(result.stdout, 'score')).toMatch(/^score +numeric +ks .* no drift /);
    expect(rowOf(result.stdout, 'city')).toMatch(/^city +categorical +chisquare .* p < 0\.05 .*% of rows changed category$/);
    expect(lines.at(-2)).toMatch(/^No dataset drift: 0 of 3 tested columns drift \(0%\), threshold 50%\.$/);
  });

  it('shifted data: the drifting columns are shown, dataset drift, exit 3', async () => {
    const result = await run('--reference', 'reference.csv', '--current', 'shifted.csv');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(3);
    expect(rowOf(result.stdout, 'age')).toMatch(/^age +numeric +ks +0\.\d+ +\d\.\d+e-\d+ +p ≤ 0\.05 +DRIFT +mean moved \+1\.\d\d σ$/);
    expect(rowOf(result.stdout, 'score')).toMatch(/ DRIFT +mean moved \+1\.\d\d σ$/);
    expect(rowOf(result.stdout, 'city')).toMatch(/ no drift /);
    expect(result.stdout).toContain('Dataset drift: 2 of 3 tested columns drift (66.67%), threshold 50%.');
    // A higher share threshold turns the same two columns into no dataset drift.
    const lenient = await run('--reference', 'reference.csv', '--current', 'shifted.csv', '--drift-share', '0.9');
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain('No dataset drift: 2 of 3 tested columns drift (66.67%), threshold 90%.');
  });

  it('--method picks a column\'s test and threshold; --column a kind; --target marks the target', async () => {
    const result = await run('--reference', 'reference.csv', '--current', 'same.csv', '--method', 'score=psi:0.2', '--column', 'age=categorical', '--target', 'city');
    expect(result.code).toBe(0);
    expect(rowOf(result.stdout, 'score')).toMatch(/^score +numeric +psi +0\.\d+ +– +≥ 0\.2 +no drift /);
    // 400 distinct ages as categories: every one is new, so the test says drift.
    expect(rowOf(result.stdout, 'age')).toMatch(/^age +categorical +\S+ .* DRIFT /);
    expect(rowOf(result.stdout, 'city (target)')).toMatch(/^city \(target\) +categorical /);
  });

  it('--json prints the report with its columns and distributions; the exit status is the same', async () => {
    const result = await run('--reference', 'reference.csv', '--current', 'shifted.csv', '--json', '--method', 'score=psi:0.2');
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout) as DriftReportView & { distributions: ColumnDistributionView[] };
    expect(report.columns.map((c) => c.column)).toEqual(['age', 'city', 'score']);
    expect(report).toMatchObject({ referenceRows: 400, currentRows: 400, datasetDrift: true, driftedColumns: 2, testedColumns: 3, driftShareThreshold: 0.5 });
    expect(report.columns.find((c) => c.column === 'score')).toMatchObject({ method: 'psi', threshold: 0.2, basis: 'distance', drift: true, pValue: null });
    expect(report.columns.find((c) => c.column === 'age')).toMatchObject({ method: 'ks', drift: true, effect: { name: 'mean shift (reference σ)' } });
    expect(report.distributions.map((d) => d.column)).toEqual(['age', 'city', 'score']);
  });

  it('--html also writes the self-contained report', async () => {
    const result = await run('--reference', 'reference.csv', '--current', 'shifted.csv', '--html', 'out.html');
    expect(result.code).toBe(3);
    const file = path.join(dir, 'out.html');
    expect(result.stderr).toBe(`orrery: wrote the HTML report to ${file}\n`);
    const html = fs.readFileSync(file, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('Drift report: shifted.csv against reference.csv');
    expect(html).toContain('Dataset drift detected');
    expect(html).not.toMatch(/<script|<link /);

    const unwritable = await run('--reference', 'reference.csv', '--current', 'same.csv', '--html', 'no-such-folder/out.html');
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(new RegExp(`^orrery: Cannot write the HTML report to ${path.join(dir, 'no-such-folder/out.html')}: ENOENT`));
  });

  it('a column only in the current data is schema drift, not a crash; one missing from it is shown untested and exits 3', async () => {
    writeCsv(path.join(dir, 'extra.csv'), { seed: 12, extraColumn: true });
    const extra = await run('--reference', 'reference.csv', '--current', 'extra.csv');
    expect(extra.code).toBe(0);
    expect(extra.stdout).toContain('Schema drift: in the current data only (not tested): channel');
    expect(extra.stdout).not.toMatch(/^channel /m);
    // Swapped: the reference's extra column is missing from current.
    const missing = await run('--reference', 'extra.csv', '--current', 'reference.csv', '--json');
    const report = JSON.parse(missing.stdout) as DriftReportView;
    expect(report.columns.find((c) => c.column === 'channel')).toMatchObject({ drift: null, note: 'missing from the current data (schema drift)' });
    expect(report.quality.missingColumns).toEqual(['channel']);
    expect(missing.code).toBe(3);
    const text = await run('--reference', 'extra.csv', '--current', 'reference.csv');
    // A gate must not pass a file that lacks reference columns: exit 3, said on stderr.
    expect(text.code).toBe(3);
    expect(text.stderr).toContain('orrery: schema drift: channel missing from the current data; exit 3');
    expect(rowOf(text.stdout, 'channel')).toMatch(/^channel +categorical +– +– +– +– +no verdict +missing from the current data \(schema drift\)$/);
    expect(text.stdout).toContain('Schema drift: missing from the current data: channel');
    // The missing column has no verdict, so it is not counted among the tested ones.
    expect(text.stdout).toMatch(/ \d of 3 tested columns drift /);
  });

  it('a file that is not CSV, an empty file or no file: exit 1, naming the file and the problem', async () => {
    fs.writeFileSync(path.join(dir, 'photo.csv'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]));
    fs.writeFileSync(path.join(dir, 'empty.csv'), '');
    expect(await run('--reference', 'reference.csv', '--current', 'photo.csv')).toEqual({
      code: 1,
      stdout: '',
      stderr: `orrery: Cannot read ${path.join(dir, 'photo.csv')}: it is a PNG image, not a CSV or Parquet file\n`,
    });
    expect(await run('--reference', 'empty.csv', '--current', 'same.csv')).toEqual({ code: 1, stdout: '', stderr: `orrery: Cannot read ${path.join(dir, 'empty.csv')}: the file is empty\n` });
    expect(await run('--reference', 'reference.csv', '--current', 'gone.csv')).toEqual({ code: 1, stdout: '', stderr: `orrery: Cannot read ${path.join(dir, 'gone.csv')}: no such file\n` });
  });

  it('options that do not fit the files: exit 1, naming the option', async () => {
    const unknownColumn = await run('--reference', 'reference.csv', '--current', 'same.csv', '--method', 'height=psi');
    expect(unknownColumn).toEqual({ code: 1, stdout: '', stderr: "orrery: --method: column 'height' is not in the reference (its columns: age, city, score)\n" });
    const numericOnly = await run('--reference', 'reference.csv', '--current', 'same.csv', '--method', 'city=ks');
    expect(numericOnly.code).toBe(1);
    expect(numericOnly.stderr).toMatch(/^orrery: --method: 'ks' tests numeric columns only, and 'city' is categorical/);
    const target = await run('--reference', 'reference.csv', '--current', 'same.csv', '--target', 'label');
    expect(target).toEqual({ code: 1, stdout: '', stderr: `orrery: --target: column 'label' is not in ${path.join(dir, 'reference.csv')}\n` });
  });

  it('bad usage: exit 2 with the problem and the usage, and nothing compared', async () => {
    const noCurrent = await run('--reference', 'reference.csv');
    expect(noCurrent.code).toBe(2);
    expect(noCurrent.stdout).toBe('');
    expect(noCurrent.stderr).toMatch(/^orrery: monitor drift needs --current CUR\.\n\nUsage:\n {2}orrery monitor drift --reference REF --current CUR/);
    const badMethod = await run('--reference', 'reference.csv', '--current', 'same.csv', '--method', 'age=anova');
    expect(badMethod.code).toBe(2);
    expect(badMethod.stderr).toMatch(/^orrery: --method: unknown method 'anova' \(one of ks, chisquare,/);
    const badThreshold = await run('--reference', 'reference.csv', '--current', 'same.csv', '--method', 'age=psi:lots');
    expect(badThreshold.code).toBe(2);
    expect(badThreshold.stderr).toMatch(/^orrery: --method: the threshold of 'age' must be a number/);
    const unknown = await run('--reference', 'reference.csv', '--current', 'same.csv', '--quick');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^orrery: Unknown option '--quick'\./);
  });
});
