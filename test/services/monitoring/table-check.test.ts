import { describe, expect, it } from 'vitest';
import { planSplit, splitCheck, type ColumnPeer } from '../../../electron/services/monitoring/compute/column-split';
import { tableFromTyped, type TypedColumn, type TypedTable } from '../../../electron/services/monitoring/compute/typed-table';
import { summaryOf } from '../../../electron/services/monitoring/compute/compute-handler';
import { TableRequests } from '../../../electron/services/monitoring/compute/table-requests';
import { CodedColumn } from '../../../electron/services/monitoring/data/category-codes';
import type { ColumnTable, TableColumn } from '../../../electron/services/monitoring/data/column-table';
import { checkDataQuality } from '../../../electron/services/monitoring/data-quality';
import { checkDrift, type DriftCheckOptions } from '../../../electron/services/monitoring/drift-check';
import { encodeProfile } from '../../../electron/services/monitoring/profile/profile-codec';
import { currentSample, profileTable } from '../../../electron/services/monitoring/profile/reference-profile';

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A coded column and the same column spelled out as strings (what a CSV read gives). */
function categorical(name: string, rows: number, seed: number, categories: string[], missingEvery = 0): { coded: TypedColumn; plain: TableColumn } {
  const u = seeded(seed);
  const codes = Int32Array.from({ length: rows }, (_, i) => (missingEvery && i % missingEvery === 0 ? -1 : Math.floor(u() ** 1.7 * categories.length)));
  const strings = Array.from(codes, (c) => (c < 0 ? null : categories[c]!));
  return { coded: { name, kind: 'categorical', codes, categories }, plain: { name, kind: 'categorical', numbers: null, strings, typeMismatches: 0 } };
}

function numeric(name: string, rows: number, seed: number, shift: number): TypedColumn {
  const u = seeded(seed);
  const numbers = Float64Array.from({ length: rows }, (_, i) => (i % 53 === 0 ? Number.NaN : i % 211 === 0 ? Infinity : (u() + u() + u()) * 10 + shift));
  return { name, kind: 'numeric', numbers };
}

describe('typed tables', () => {
  it('reads numeric columns and coded categories; bad columns are refused by field', () => {
    const table = tableFromTyped({ rows: 3, columns: [numeric('x', 3, 1, 0), { name: 'c', kind: 'categorical', codes: Int32Array.from([1, -1, 0]), categories: ['a', 'b'] }] });
    expect(table.columns.map((c) => [c.name, c.kind])).toEqual([
      ['x', 'numeric'],
      ['c', 'categorical'],
    ]);
    expect(table.columns[1]!.strings).toEqual(['b', null, 'a']);
    const bad = (columns: TypedColumn[], rows = 2) => () => tableFromTyped({ rows, columns });
    expect(bad([{ name: 'x', kind: 'numeric', numbers: new Float64Array(3) }])).toThrow("table.columns[0] ('x').numbers: has 3 values for 2 rows");
    expect(bad([{ name: 'c', kind: 'categorical', codes: Int32Array.from([0, 2]), categories: ['a', 'b'] }])).toThrow("table.columns[0] ('c').codes[1]: 2 is not -1 (missing)");
    expect(bad([{ name: 'c', kind: 'categorical', codes: Int32Array.from([0, -2]), categories: ['a'] }])).toThrow('codes[1]: -2');
    expect(bad([numeric('x', 2, 1, 0), numeric('x', 2, 2, 0)])).toThrow("table.columns[1] ('x'): the name is used twice");
    expect(bad([{ name: 'x', kind: 'numeric', numbers: [1, 2] as unknown as Float64Array }])).toThrow("table.columns[0] ('x').numbers: must be a Float64Array");
    expect(() => tableFromTyped({ rows: -1, columns: [] })).toThrow('table.rows: must be a whole number >= 0, got -1');
  });

  it('counts a coded column exactly as its strings, in the same order, a repeated category once', () => {
    const categories = ['b', 'a', 'c', 'a', 'unused'];
    const { coded, plain } = categorical('c', 5000, 3, categories, 17);
    const fromCodes = currentSample(tableFromTyped({ rows: 5000, columns: [coded] }).columns[0]!);
    const fromStrings = currentSample(plain);
    expect(fromCodes.kind === 'categorical' && [...fromCodes.counts]).toEqual(fromStrings.kind === 'categorical' && [...fromStrings.counts]);
    expect(fromCodes).toEqual(fromStrings);
  });

  it('gives the same data quality from codes as from strings (unseen categories, examples, a constant column)', () => {
    const reference = profileTable({ rows: 3000, columns: [categorical('c', 3000, 4, ['a', 'b', 'c']).plain, categorical('k', 3000, 5, ['x', 'y']).plain] });
    const many = Array.from({ length: 14 }, (_, i) => `new${i}`);
    const shifted = categorical('c', 4000, 6, ['a', ...many, 'b', 'a'], 9);
    const constant = categorical('k', 4000, 7, ['y']);
    const coded = tableFromTyped({ rows: 4000, columns: [shifted.coded, constant.coded] });
    const plain: ColumnTable = { rows: 4000, columns: [shifted.plain, constant.plain] };
    const fromCodes = checkDataQuality(reference, coded);
    expect(fromCodes).toEqual(checkDataQuality(reference, plain));
    expect(fromCodes.columns[0]!.newCategories!.examples.length).toBe(10);
    expect(fromCodes.columns[1]!.constant.breached).toBe(true);
  });
});

/** A stand-in for the peer thread: its inputs and answers go through structured cloning, as messages would. */
function clonePeer(): ColumnPeer & { columns: string[]; profiled: string[] } {
  const inner = new TableRequests();
  const peer = {
    columns: [] as string[],
    profiled: [] as string[],
    check: async (...args: Parameters<ColumnPeer['check']>) => {
      const [profile, table, options] = structuredClone(args.slice(0, 3)) as [Parameters<ColumnPeer['check']>[0], TypedTable, DriftCheckOptions];
      peer.columns.push(...table.columns.map((c) => c.name));
      return structuredClone(checkDrift(profile, tableFromTyped(table), options));
    },
    profileChunk: async (stream: string, table: TypedTable | null, kinds: Record<string, 'numeric' | 'categorical'>, finish: boolean) => {
      for (const column of table?.columns ?? []) if (!peer.profiled.includes(column.name)) peer.profiled.push(column.name);
      const profile = await inner.addChunk(stream, structuredClone(table), kinds, finish);
      return profile && { profile: encodeProfile(profile), summary: summaryOf(profile) };
    },
  };
  return peer;
}

const withoutTime = <T extends { report: { tookMs: number } }>(result: T) => ({ ...result, report: { ...result.report, tookMs: 0 } });

describe('a check split over two threads', () => {
  const rows = 30_000;
  const referenceColumns = (): TypedColumn[] => [
    ...Array.from({ length: 6 }, (_, j) => numeric(`n${j}`, rows, 10 + j, 0)),
    categorical('c0', rows, 20, ['a', 'b', 'c', 'd']).coded,
    categorical('c1', rows, 21, ['p', 'q', 'r', 's', 't', 'u']).coded,
    categorical('gone', rows, 22, ['x', 'y']).coded,
  ];
  const reference = profileTable(tableFromTyped({ rows, columns: referenceColumns() }));
  const current = (): ColumnTable => {
    const typed = tableFromTyped({
      rows,
      columns: [
        ...Array.from({ length: 6 }, (_, j) => numeric(`n${j}`, rows, 30 + j, j % 2 ? 0.8 : 0)),
        categorical('c0', rows, 40, ['a', 'b', 'c', 'd', 'e']).coded,
        numeric('extra', rows, 41, 0),
      ],
    });
    // n2 with text cells in it and c1 as plain strings, as a CSV reader gives them: they stay here.
    const n2 = typed.columns.find((c) => c.name === 'n2')!;
    const mismatched: TableColumn = { ...n2, numbers: n2.numbers!.map((v, i) => (i % 1000 === 1 ? Number.NaN : v)), typeMismatches: rows / 1000 };
    const columns = typed.columns.map((c) => (c === n2 ? mismatched : c));
    return { rows, columns: [...columns, categorical('c1', rows, 42, ['p', 'q', 'r', 's', 't', 'u', 'v']).plain] };
  };
  const options: DriftCheckOptions = {
    driftShare: 0.3,
    minRows: 30,
    methods: { n1: { method: 'ks', threshold: null }, n4: { method: 'psi', threshold: 0.2 }, c1: { method: 'chisquare', threshold: 0.01 } },
    roles: { n5: 'prediction' },
  };

  it('gives the report the unsplit check gives, field for field, with columns done by the peer', async () => {
    const unsplit = checkDrift(reference, current(), options);
    const peer = clonePeer();
    const split = await splitCheck(reference, current(), options, peer);
    expect(peer.columns.length).toBeGreaterThan(0);
    expect(peer.columns).not.toContain('c1');
    expect(peer.columns).not.toContain('n2');
    expect(withoutTime(split)).toEqual(withoutTime(unsplit));
    // The report says what the unsplit one says about the whole table.
    expect(split.report.quality.missingColumns).toEqual(['gone']);
    expect(split.report.quality.extraColumns).toEqual(['extra']);
    expect(split.report.columns.map((c) => c.column)).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'c0', 'c1', 'gone']);
    expect(split.report.driftedColumns).toBeGreaterThan(0);
    expect(split.report.quality.columns.find((c) => c.column === 'n2')!.typeMismatches).toBe(rows / 1000);
  });

  it('keeps columns with type mismatches on this thread (typed columns cannot carry the count)', async () => {
    const base = current();
    const table: ColumnTable = { rows, columns: base.columns.map((c) => (c.kind === 'numeric' ? { ...c, typeMismatches: 1 } : c)) };
    expect([...(planSplit(reference, table) ?? [])]).toEqual(['c0']);
    const peer = clonePeer();
    const split = await splitCheck(reference, table, options, peer);
    expect(peer.columns).toEqual(['c0']);
    expect(withoutTime(split)).toEqual(withoutTime(checkDrift(reference, table, options)));
  });

  it('keeps a small check on one thread, and refuses a bad method as the unsplit check does', async () => {
    const peer = clonePeer();
    const small = tableFromTyped({ rows: 100, columns: [numeric('n0', 100, 1, 0), numeric('n1', 100, 2, 0)] });
    expect(planSplit(reference, small)).toBeNull();
    const result = await splitCheck(reference, small, options, peer);
    expect(peer.columns).toEqual([]);
    expect(result.report.columns.find((c) => c.column === 'n0')!.currentRows).toBeGreaterThan(90);
    const bad = { ...options, methods: { c0: { method: 'ks' as const, threshold: null } } };
    await expect(splitCheck(reference, current(), bad, clonePeer())).rejects.toThrow("'ks' tests numeric columns only, and 'c0' is categorical");
  });

  it('uses a coded column as a plain one once copied (its codes are trusted only on the column itself)', () => {
    const column = tableFromTyped({ rows: 3, columns: [{ name: 'c', kind: 'categorical', codes: Int32Array.from([0, 0, 1]), categories: ['a', 'b'] }] }).columns[0]!;
    expect(column).toBeInstanceOf(CodedColumn);
    const copy = { ...column, strings: ['b', 'b', null] };
    const sample = currentSample(copy);
    expect(sample.kind === 'categorical' && [...sample.counts]).toEqual([['b', 2]]);
  });
});

describe('a reference streamed in chunks, its columns shared with the peer', () => {
  const chunk = (seed: number, shape: 'full' | 'changed'): TypedTable => {
    const rows = 30_000;
    const columns: TypedColumn[] = [
      ...Array.from({ length: 6 }, (_, j) => numeric(`n${j}`, rows, seed * 10 + j, 0)).filter((c) => shape === 'full' || c.name !== 'n3'),
      categorical('c0', rows, seed + 100, ['a', 'b', 'c']).coded,
      categorical('c1', rows, seed + 200, ['p', 'q']).coded,
    ];
    // A column that appears only in the second chunk, and n3 missing from it.
    if (shape === 'changed') columns.push(numeric('late', rows, seed + 300, 5), categorical('lateCat', rows, seed + 400, ['x', 'y', 'z']).coded);
    return { rows, columns };
  };
  const kinds = { n5: 'categorical' as const };

  async function stream(requests: TableRequests): Promise<unknown> {
    await requests.addChunk('s', chunk(1, 'full'), kinds, false);
    await requests.addChunk('s', chunk(2, 'changed'), kinds, false);
    return requests.addChunk('s', chunk(3, 'full'), kinds, true);
  }

  it('builds the profile the one-thread stream builds, with columns profiled by the peer', async () => {
    const peer = clonePeer();
    const split = await stream(new TableRequests(peer));
    expect(peer.profiled.length).toBeGreaterThan(2);
    expect(split).toEqual(await stream(new TableRequests()));
    expect((split as { columns: Array<{ name: string }> }).columns.map((c) => c.name)).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'c0', 'c1', 'late', 'lateCat']);
  });

  it('names a bad column as the caller sent it, and closes the stream on both sides', async () => {
    const peer = clonePeer();
    const requests = new TableRequests(peer);
    await requests.addChunk('s', chunk(1, 'full'), {}, false);
    const bad = chunk(2, 'full');
    bad.columns[7] = { name: 'c1', kind: 'categorical', codes: new Int32Array(bad.rows).fill(9), categories: ['p', 'q'] };
    await expect(requests.addChunk('s', bad, {}, false)).rejects.toThrow("table.columns[7] ('c1').codes[0]: 9 is not -1");
    await expect(requests.addChunk('s', null, {}, true)).rejects.toThrow("no profile stream 's' is open");
    await expect(peer.profileChunk('s', null, {}, true, [])).rejects.toThrow("no profile stream 's' is open");
  });
});
