import { describe, expect, it } from 'vitest';
import { checkDataQuality } from '../../../electron/services/monitoring/data-quality';
import { tableFromRecords } from '../../../electron/services/monitoring/data/column-table';
import { profileTable } from '../../../electron/services/monitoring/profile/reference-profile';

/** A reference: x in [0, 99] with 2% missing, colour in {red, green, blue}, id numeric. */
const reference = profileTable(
  tableFromRecords(
    Array.from({ length: 100 }, (_, i) => ({
      x: i % 50 === 0 ? null : i,
      colour: ['red', 'green', 'blue'][i % 3],
      level: i % 4,
      id: i,
    })),
  ),
);

function rows(n: number, make: (i: number) => Record<string, unknown>): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => make(i));
}

describe('data quality', () => {
  it('passes a window like the reference', () => {
    const report = checkDataQuality(reference, tableFromRecords(rows(40, (i) => ({ x: i * 2, colour: ['red', 'blue'][i % 2], level: i % 4, id: i }))));
    expect(report.breached).toBe(false);
    expect(report.missingColumns).toEqual([]);
    expect(report.extraColumns).toEqual([]);
    expect(report.columns.map((c) => c.column)).toEqual(['x', 'colour', 'level', 'id']);
  });

  it('holds the missing share to the reference share plus 0.05', () => {
    // 2% missing in the reference: 6/100 is within 0.07, 8/100 is over it.
    const within = checkDataQuality(reference, tableFromRecords(rows(100, (i) => ({ x: i < 6 ? null : 5 }))));
    const x = within.columns.find((c) => c.column === 'x')!;
    expect(x.missing).toEqual({ value: 0.06, count: 6, threshold: 0.02 + 0.05, breached: false, reference: 0.02 });
    const over = checkDataQuality(reference, tableFromRecords(rows(100, (i) => ({ x: i < 8 ? null : 5 }))));
    expect(over.columns.find((c) => c.column === 'x')!.missing.breached).toBe(true);
    const allMissing = checkDataQuality(reference, tableFromRecords(rows(10, () => ({ x: null }))), { missingShare: 0.5 });
    expect(allMissing.columns.find((c) => c.column === 'x')!.missing).toMatchObject({ value: 1, threshold: 0.52, breached: true });
  });

  it('measures values outside the reference range, and leaves ±Infinity to its own measure', () => {
    const report = checkDataQuality(reference, tableFromRecords(rows(100, (i) => ({ x: i < 10 ? 150 : i === 10 ? -1 : i === 11 ? Infinity : 50 }))));
    const x = report.columns.find((c) => c.column === 'x')!;
    expect(x.outOfRange).toEqual({ value: 11 / 99, count: 11, threshold: 0.05, breached: true });
    expect(x.nonFinite).toEqual({ value: 0.01, count: 1, threshold: 0, breached: true, reference: 0 });
    expect(x.newCategories).toBeNull();
  });

  it('measures categories the reference never had, with examples', () => {
    const report = checkDataQuality(reference, tableFromRecords(rows(20, (i) => ({ colour: i < 2 ? 'purple' : i === 2 ? 'Red' : 'red' }))));
    const colour = report.columns.find((c) => c.column === 'colour')!;
    expect(colour.newCategories).toEqual({ value: 3 / 20, count: 3, threshold: 0.05, breached: true, examples: ['purple', 'Red'] });
    expect(colour.outOfRange).toBeNull();
    const loose = checkDataQuality(reference, tableFromRecords(rows(20, (i) => ({ colour: i < 2 ? 'purple' : 'red' }))), { newCategoryShare: 0.2 });
    expect(loose.columns.find((c) => c.column === 'colour')!.newCategories!.breached).toBe(false);
  });

  it('counts text in a numeric column as type mismatches, apart from missing cells', () => {
    const report = checkDataQuality(reference, tableFromRecords(rows(10, (i) => ({ x: i === 0 ? 'n/a' : i === 1 ? '42' : i }))));
    const x = report.columns.find((c) => c.column === 'x')!;
    // The window read "42" as text (its column turned categorical); held to the numeric reference it is 42.
    expect(x.typeMismatches).toEqual({ value: 1, count: 1, threshold: 0, breached: true });
    expect(x.missing.count).toBe(0);
    expect(x.breached).toBe(true);
  });

  it('flags a column stuck at one value where the reference had more, but not one that always was constant', () => {
    const constantRef = profileTable(tableFromRecords(rows(10, () => ({ k: 'same', v: 1 }))));
    const stuck = checkDataQuality(reference, tableFromRecords(rows(30, () => ({ level: 2, colour: 'red' }))), { missingColumns: 5 });
    const level = stuck.columns.find((c) => c.column === 'level')!;
    expect(level.constant).toEqual({ value: 1, count: 1, threshold: 1, breached: true, referenceDistinct: 4 });
    expect(stuck.columns.find((c) => c.column === 'colour')!.constant.breached).toBe(true);
    const fine = checkDataQuality(constantRef, tableFromRecords(rows(30, () => ({ k: 'same', v: 1 }))));
    expect(fine.breached).toBe(false);
  });

  it('reports missing and extra columns as schema drift instead of failing', () => {
    const report = checkDataQuality(reference, tableFromRecords(rows(5, (i) => ({ x: i, colour: 'red', surprise: 'yes' }))));
    expect(report.missingColumns).toEqual(['level', 'id']);
    expect(report.extraColumns).toEqual(['surprise']);
    expect(report.schema.missingColumns).toEqual({ value: 2, count: 2, threshold: 0, breached: true });
    expect(report.schema.extraColumns).toEqual({ value: 1, count: 1, threshold: 0, breached: true });
    expect(report.breached).toBe(true);
    expect(report.columns.map((c) => c.column)).toEqual(['x', 'colour']);
    const lenient = checkDataQuality(reference, tableFromRecords(rows(5, (i) => ({ x: i + 1, colour: ['red', 'green'][i % 2], level: i % 4, id: i, surprise: 1 }))), { extraColumns: 1 });
    expect(lenient.breached).toBe(false);
  });

  it('gives an empty window zero shares, not NaN', () => {
    const report = checkDataQuality(reference, { rows: 0, columns: [{ name: 'x', kind: 'numeric', numbers: new Float64Array(0), strings: null, typeMismatches: 0 }] });
    const x = report.columns[0]!;
    expect([x.missing.value, x.outOfRange!.value, x.nonFinite.value, x.constant.value]).toEqual([0, 0, 0, 0]);
  });
});
