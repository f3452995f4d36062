/**
 * One check split by columns over two threads: every column's test, distribution and data quality
 * depend on that column alone, so each thread checks its share of the columns against the matching
 * part of the profile, and the parts are put back together in the reference's column order with the
 * dataset-wide parts (verdict, missing and extra columns) computed once over the whole. The result
 * is the report the unsplit check gives, field for field (bar tookMs). Pure: no Node imports.
 */
import type { ColumnDriftView, ColumnKindName, DataQualityView } from '../../../../shared/contract/monitoring';
import { categoryCodesOf } from '../data/category-codes';
import type { ColumnTable, TableColumn } from '../data/column-table';
import { checkDataQuality } from '../data-quality';
import { checkDrift, checkMethodsFit, datasetVerdict, referenceForm, type DriftCheckOptions, type DriftCheckResult } from '../drift-check';
import type { ReferenceProfile } from '../profile/reference-profile';
import { qualityView } from '../quality-view';
import type { ProfileResult } from './compute-protocol';
import type { TypedColumn, TypedTable } from './typed-table';

/** A second thread that checks or profiles some columns: the peer worker, or anything answering the same. */
export interface ColumnPeer {
  check(profile: ReferenceProfile, table: TypedTable, options: DriftCheckOptions, transfer: ArrayBuffer[]): Promise<DriftCheckResult>;
  /** As the 'profile-chunk' request: the peer's own stream of its columns. */
  profileChunk(stream: string, table: TypedTable | null, kinds: Record<string, ColumnKindName>, finish: boolean, transfer: ArrayBuffer[]): Promise<ProfileResult | null>;
}

/** Fewer cells than this are checked on one thread: starting the other costs more than it saves. */
export const SPLIT_FROM_CELLS = 200_000;

/** Rough cost of a column per row, by how it is held: what the split balances. */
function cost(column: TableColumn): number {
  if (column.kind === 'numeric') return 1;
  return categoryCodesOf(column) ? 0.2 : 1.5;
}

/**
 * Which reference columns the peer checks: numeric and dictionary-encoded columns (they move as
 * typed arrays), balanced against the rest by cost; null when the check is too small to split.
 */
export function planSplit(reference: ReferenceProfile, current: ColumnTable): Set<string> | null {
  const byName = new Map(current.columns.map((c) => [c.name, c]));
  // A column read as another kind than the reference's stays here, failing as it would unsplit.
  const present = reference.columns.flatMap((p) => {
    const column = byName.get(p.name);
    return column && column.kind === p.kind ? [column] : [];
  });
  if (present.length < 2 || current.rows * present.length < SPLIT_FROM_CELLS) return null;
  // Type mismatches are counted by the reader, not carried by typed columns: such a column stays.
  const movable = present.filter((c) => c.typeMismatches === 0 && (c.kind === 'numeric' || categoryCodesOf(c) !== null)).sort((a, b) => cost(b) - cost(a));
  let local = present.filter((c) => !movable.includes(c)).reduce((sum, c) => sum + cost(c), 0);
  let peer = 0;
  const toPeer = new Set<string>();
  for (const column of movable) {
    if (peer < local) {
      peer += cost(column);
      toPeer.add(column.name);
    } else local += cost(column);
  }
  return toPeer.size > 0 && toPeer.size < reference.columns.length ? toPeer : null;
}

/** The profile, table and methods of the columns in `names` (inPart) or of all the others. */
function part(reference: ReferenceProfile, current: ColumnTable, options: DriftCheckOptions, names: ReadonlySet<string>, inPart: boolean) {
  const has = (name: string) => names.has(name) === inPart;
  return {
    profile: { ...reference, columns: reference.columns.filter((c) => has(c.name)) },
    table: { rows: current.rows, columns: current.columns.filter((c) => has(c.name)) },
    options: { ...options, methods: Object.fromEntries(Object.entries(options.methods).filter(([name]) => has(name))) },
  };
}

/**
 * The array with its buffer listed in `transfer`, to be moved to the peer rather than copied: only
 * a buffer the array fills alone is moved; a view into a larger one is copied first.
 */
export function movable<T extends Float64Array | Int32Array>(array: T, transfer: ArrayBuffer[]): T {
  const whole = array.byteOffset === 0 && array.byteLength === array.buffer.byteLength && array.buffer instanceof ArrayBuffer ? array : (array.slice() as T);
  transfer.push(whole.buffer as ArrayBuffer);
  return whole;
}

/** A column as the peer receives it. */
function typedColumn(column: TableColumn, transfer: ArrayBuffer[]): TypedColumn {
  if (column.kind === 'numeric') return { name: column.name, kind: 'numeric', numbers: movable(column.numbers!, transfer) };
  const coded = categoryCodesOf(column)!;
  return { name: column.name, kind: 'categorical', codes: movable(coded.codes, transfer), categories: [...coded.categories] };
}

/**
 * checkDrift over two threads when the table is large enough and a peer is at hand, else on this
 * one. The peer's columns are moved to it (their arrays are unusable here afterwards).
 */
export async function splitCheck(reference: ReferenceProfile, current: ColumnTable, options: DriftCheckOptions, peer: ColumnPeer | null, now: () => number = Date.now): Promise<DriftCheckResult> {
  const started = now();
  const plan = peer ? planSplit(reference, current) : null;
  if (!peer || !plan) return checkDrift(reference, current, options, now);
  checkMethodsFit(reference, options.methods);
  const theirs = part(reference, current, options, plan, true);
  const transfer: ArrayBuffer[] = [];
  const typed: TypedTable = { rows: current.rows, columns: theirs.table.columns.map((c) => typedColumn(c, transfer)) };
  const remote = peer.check(theirs.profile, typed, theirs.options, transfer);
  const ours = part(reference, current, options, plan, false);
  const local = checkDrift(ours.profile, ours.table, ours.options, now);
  return mergeChecks(reference, current, options, [local, await remote], now() - started);
}

/** The parts of a split check as the one report the unsplit check gives. */
export function mergeChecks(reference: ReferenceProfile, current: ColumnTable, options: DriftCheckOptions, parts: DriftCheckResult[], tookMs: number): DriftCheckResult {
  const order = new Map(reference.columns.map((c, i) => [c.name, i]));
  const byReference = <T extends { column: string }>(rows: T[]) => rows.sort((a, b) => order.get(a.column)! - order.get(b.column)!);
  const columns: ColumnDriftView[] = byReference(parts.flatMap((p) => p.report.columns));
  const distributions = byReference(parts.flatMap((p) => p.distributions));
  const qualityColumns = byReference(parts.flatMap((p) => p.report.quality.columns));
  // Missing and extra columns depend on the names alone: checked on an empty table of those names.
  const names: ColumnTable = {
    rows: 0,
    columns: current.columns.map(({ name, kind }) => ({ name, kind, numbers: kind === 'numeric' ? new Float64Array(0) : null, strings: kind === 'numeric' ? null : [], typeMismatches: 0 })),
  };
  const schema = qualityView({ ...checkDataQuality(reference, names), columns: [] });
  const quality: DataQualityView = {
    missingColumns: schema.missingColumns,
    extraColumns: schema.extraColumns,
    columns: qualityColumns,
    breaches: qualityColumns.reduce((n, c) => n + c.breaches.length, 0) + schema.breaches,
  };
  return {
    report: {
      referenceRows: reference.rows,
      currentRows: current.rows,
      columns,
      ...datasetVerdict(columns, options.driftShare),
      quality,
      referenceForm: referenceForm(reference),
      tookMs,
    },
    distributions,
  };
}
