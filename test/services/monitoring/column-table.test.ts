import { describe, expect, it } from 'vitest';
import { conformColumn, parseNumberText, tableFromRecords } from '../../../electron/services/monitoring/data/column-table';

describe('tables from request-log records', () => {
  it('infers numeric only when every present cell is a number; missing is null, absent, empty or NaN', () => {
    const table = tableFromRecords([
      { a: 1, b: 'x', c: 1, d: null, e: true },
      { a: Number.NaN, b: 2, c: '', e: false },
      { a: 2.5, b: null, c: 3 },
    ]);
    expect(table.rows).toBe(3);
    expect(table.columns.map((c) => [c.name, c.kind])).toEqual([
      ['a', 'numeric'],
      ['b', 'categorical'],
      ['c', 'numeric'],
      ['d', 'numeric'],
      ['e', 'categorical'],
    ]);
    expect(Array.from(table.columns[0]!.numbers!)).toEqual([1, Number.NaN, 2.5]);
    expect(table.columns[1]!.strings).toEqual(['x', '2', null]);
    expect(Array.from(table.columns[2]!.numbers!)).toEqual([1, Number.NaN, 3]);
    expect(Array.from(table.columns[3]!.numbers!)).toEqual([Number.NaN, Number.NaN, Number.NaN]);
    expect(table.columns[4]!.strings).toEqual(['true', 'false', null]);
  });

  it('lets a given kind win: text in a numeric column is a counted mismatch; numbers in a categorical column are one category with their text', () => {
    const kinds = new Map([
      ['n', 'numeric' as const],
      ['c', 'categorical' as const],
    ]);
    const table = tableFromRecords([{ n: 'abc', c: 1 }, { n: 4, c: '1' }, { n: '5', c: 1.0 }, { n: true, c: 2.5 }], kinds);
    const n = table.columns[0]!;
    expect(n.kind).toBe('numeric');
    expect(n.typeMismatches).toBe(3);
    expect(Array.from(n.numbers!)).toEqual([Number.NaN, 4, Number.NaN, Number.NaN]);
    expect(table.columns[1]!.strings).toEqual(['1', '1', '1', '2.5']);
  });

  it('keeps ±Infinity in numeric columns', () => {
    const table = tableFromRecords([{ x: Infinity }, { x: -Infinity }, { x: 0 }]);
    expect(Array.from(table.columns[0]!.numbers!)).toEqual([Infinity, -Infinity, 0]);
  });
});

describe('numbers in text', () => {
  it('takes whole decimals, exponents, nan and inf, and nothing else', () => {
    expect(parseNumberText('-1.5e3')).toBe(-1500);
    expect(parseNumberText('.5')).toBe(0.5);
    expect(parseNumberText('7.')).toBe(7);
    expect(parseNumberText(' 42 ')).toBe(42);
    expect(parseNumberText('NaN')).toBeNaN();
    expect(parseNumberText('inf')).toBe(Infinity);
    expect(parseNumberText('-Infinity')).toBe(-Infinity);
    for (const text of ['0x1f', '1,5', '12abc', 'e5', '-', '', ' ', '1e', 'infinite', '1 2']) expect(parseNumberText(text), text).toBeUndefined();
  });

  it('reads a column as the reference kind: text that spells a number becomes it, other text is a mismatch', () => {
    const text = tableFromRecords([{ v: '3' }, { v: 'x' }, { v: null }]).columns[0]!;
    const numeric = conformColumn(text, 'numeric');
    expect(Array.from(numeric.numbers!)).toEqual([3, Number.NaN, Number.NaN]);
    expect(numeric.typeMismatches).toBe(1);
    const numbers = tableFromRecords([{ v: 1 }, { v: Number.NaN }, { v: 0.25 }]).columns[0]!;
    expect(conformColumn(numbers, 'categorical').strings).toEqual(['1', null, '0.25']);
    expect(conformColumn(numbers, 'numeric')).toBe(numbers);
  });
});
