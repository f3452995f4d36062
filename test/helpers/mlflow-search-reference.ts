/**
 * A plain in-memory model of MLflow's `runs/search`: which runs a filter keeps and in what order
 * they come back. It is written from MLflow's documentation and its SQL tracking store, not from
 * Orrery's code (nothing here imports electron/services/tracking), so a test can compare the two.
 *
 * Sources, and the rules taken from each:
 *
 * - https://mlflow.org/docs/latest/ml/search/search-runs (Search Runs guide): a filter is
 *   comparisons joined by AND (no OR); metrics and numeric attributes (start_time, end_time) take
 *   = != > >= < <=; params, tags and string attributes take = != LIKE ILIKE; LIKE is a
 *   case-sensitive pattern match and ILIKE a case-insensitive one, `%` matching any run of
 *   characters and `_` exactly one; `attributes.run_id` and `datasets.*` also take IN / NOT IN
 *   with a list of quoted strings; `datasets.name|digest|context` match a run when one of its
 *   dataset inputs does; run_view_type picks active, deleted or all runs.
 * - mlflow/store/tracking/sqlalchemy_store.py, `_get_sqlalchemy_filter_clauses`: every clause on a
 *   metric, param, tag or dataset is a subquery on the rows that HAVE the key, so a run without the
 *   key never matches, not even `!=`. Attribute clauses are SQL comparisons on the runs table, so a
 *   NULL column (end_time of a run that never ended) matches nothing either. A metric clause looks
 *   at the run's latest value (`latest_metrics`: highest step, then highest timestamp; MLflow breaks
 *   an exact tie on both by the higher value, Orrery by the later write, so the tests never log two
 *   points of one metric at the same step and timestamp).
 * - the same file, `_get_orderby_clauses`: each order_by key sorts first on a rank, then on the
 *   value in the requested direction. The rank puts runs without the key after every run that has
 *   it, in both directions; for metrics a NaN latest value ranks between the two (real values,
 *   then NaN, then missing). After the requested keys: start_time DESC, then run_id ascending.
 *
 * Where MLflow's behaviour is an accident of its storage, this model states the rule Orrery keeps
 * instead, and says so:
 *
 * - NaN: MLflow's SQL store writes a NaN metric as value 0 with is_nan = true and its filter
 *   ignores is_nan, so `metrics.m = 0` matches a NaN. Here NaN matches no comparison at all, not
 *   even `!=` (Orrery's rule; IEEE comparisons are false for NaN, and a NaN is not "a value that
 *   differs from x" a user asked for). Ordering follows MLflow exactly (rank above).
 * - ±Infinity: MLflow stores them as ±1.7976931348623157e308; here they stay infinite. Comparisons
 *   only differ at a threshold of exactly ±max-double, which the tests do not generate.
 * - ILIKE folds case the way MLflow on SQLite does (SQLAlchemy renders `lower(x) LIKE lower(y)`,
 *   and SQLite's lower() folds only ASCII A-Z): `É` and `é` are different letters to ILIKE.
 *
 * The runs table (`tracking.queryRuns`) asks in Orrery's dialect, a superset with two rules of its
 * own (RUNS_TABLE_RULES below; MLflow's REST API keeps MLflow's):
 *
 * - IN / NOT IN take a list of quoted strings on params, tags and every string attribute too; a
 *   run without the param or tag matches neither, like every other clause on it.
 * - A param sorts as a number when its value is a plain decimal literal (`-1`, `0.5`, `.5`, `1.`,
 *   `1e-3`; no spaces, hex, `inf` or `nan`) that is finite: numbers first, by value, then the other
 *   values by code point, then runs without the param; equal numbers (`1`, `1.0`) tie.
 *
 * Strings compare by code point, which is SQLite's BINARY collation on UTF-8 (not JS's `<`,
 * which compares UTF-16 units and orders U+FFxx after astral characters).
 */

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export type Lifecycle = 'active' | 'deleted';

export interface RefMetricPoint {
  value: number;
  step: number;
  timestamp: number;
}

export interface RefDatasetInput {
  name: string;
  digest: string;
  /** The input's `mlflow.data.context` tag; null when it has none. */
  context: string | null;
}

/** A run as MLflow describes it. */
export interface RefRun {
  runId: string;
  experimentId: string;
  runName: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  userId: string;
  artifactUri: string;
  lifecycleStage: Lifecycle;
  params: Readonly<Record<string, string>>;
  tags: Readonly<Record<string, string>>;
  /** Every point logged, in any order; searches see the latest (see latestMetric). */
  metrics: Readonly<Record<string, readonly RefMetricPoint[]>>;
  inputs: readonly RefDatasetInput[];
}

export const NUMERIC_COMPARATORS = ['=', '!=', '>', '>=', '<', '<='] as const;
export const STRING_COMPARATORS = ['=', '!=', 'LIKE', 'ILIKE'] as const;
export const LIST_COMPARATORS = ['IN', 'NOT IN'] as const;
export type NumericComparator = (typeof NUMERIC_COMPARATORS)[number];
export type StringComparator = (typeof STRING_COMPARATORS)[number];
export type ListComparator = (typeof LIST_COMPARATORS)[number];

export const NUMERIC_ATTRIBUTES = ['start_time', 'end_time'] as const;
export const STRING_ATTRIBUTES = ['run_id', 'run_name', 'status', 'user_id', 'artifact_uri'] as const;
export const DATASET_FIELDS = ['name', 'digest', 'context'] as const;
export type NumericAttribute = (typeof NUMERIC_ATTRIBUTES)[number];
export type StringAttribute = (typeof STRING_ATTRIBUTES)[number];
export type DatasetField = (typeof DATASET_FIELDS)[number];

/** One comparison of a filter, already understood (the tests render it to text). */
export type RefClause =
  | { entity: 'metric'; key: string; comparator: NumericComparator; value: number }
  | { entity: 'param' | 'tag'; key: string; comparator: StringComparator; value: string }
  /** The runs table only (MLflow refuses a list here). */
  | { entity: 'param' | 'tag'; key: string; comparator: ListComparator; value: readonly string[] }
  | { entity: 'attribute'; key: NumericAttribute; comparator: NumericComparator; value: number }
  | { entity: 'attribute'; key: StringAttribute; comparator: StringComparator; value: string }
  | { entity: 'attribute'; key: 'run_id'; comparator: ListComparator; value: readonly string[] }
  /** The runs table only for keys other than run_id. */
  | { entity: 'attribute'; key: StringAttribute; comparator: ListComparator; value: readonly string[] }
  | { entity: 'dataset'; key: DatasetField; comparator: StringComparator; value: string }
  | { entity: 'dataset'; key: DatasetField; comparator: ListComparator; value: readonly string[] };

export type OrderAttribute = NumericAttribute | StringAttribute;

export type RefOrder =
  | { entity: 'metric' | 'param' | 'tag'; key: string; ascending: boolean }
  | { entity: 'attribute'; key: OrderAttribute; ascending: boolean };

export interface RefQuery {
  experimentIds: readonly string[];
  /** run_view_type: ACTIVE_ONLY, DELETED_ONLY, ALL. */
  lifecycle: Lifecycle | 'all';
  filter: readonly RefClause[];
  orderBy: readonly RefOrder[];
}

/** Whose sorting rules: MLflow's (its REST API) or the runs table's (see the header). */
export interface SearchRules {
  numericParams: boolean;
}
export const MLFLOW_RULES: SearchRules = { numericParams: false };
export const RUNS_TABLE_RULES: SearchRules = { numericParams: true };

// ---- values ----

/** The value a search sees for a metric: the point with the highest step, then timestamp. */
export function latestMetric(points: readonly RefMetricPoint[] | undefined): number | undefined {
  if (!points || points.length === 0) return undefined;
  let best = points[0]!;
  for (const p of points) {
    if (p.step > best.step || (p.step === best.step && p.timestamp > best.timestamp)) best = p;
  }
  return best.value;
}

/** SQLite's BINARY collation on UTF-8 text is code point order. */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

const foldAscii = (ch: string) => (ch >= 'A' && ch <= 'Z' ? ch.toLowerCase() : ch);

/**
 * SQL LIKE: `%` any run of characters (none included), `_` exactly one character (a code point),
 * everything else itself. No escape character (MLflow passes none).
 */
export function likeMatches(value: string, pattern: string, caseInsensitive: boolean): boolean {
  const fold = caseInsensitive ? foldAscii : (ch: string) => ch;
  const v = [...value].map(fold);
  const p = [...pattern].map(fold);
  // can[j] = the first i characters of the value match the first j of the pattern.
  let can = new Array<boolean>(p.length + 1).fill(false);
  can[0] = true;
  for (let j = 1; j <= p.length; j++) can[j] = can[j - 1]! && p[j - 1] === '%';
  for (let i = 1; i <= v.length; i++) {
    const next = new Array<boolean>(p.length + 1).fill(false);
    for (let j = 1; j <= p.length; j++) {
      const pc = p[j - 1]!;
      if (pc === '%') next[j] = next[j - 1]! || can[j]!;
      else next[j] = can[j - 1]! && (pc === '_' || pc === v[i - 1]);
    }
    can = next;
  }
  return can[p.length]!;
}

function compareNumbers(actual: number, comparator: NumericComparator, wanted: number): boolean {
  // NaN matches nothing (see the header); JS comparisons already say false except for !=.
  if (Number.isNaN(actual)) return false;
  switch (comparator) {
    case '=':
      return actual === wanted;
    case '!=':
      return actual !== wanted;
    case '>':
      return actual > wanted;
    case '>=':
      return actual >= wanted;
    case '<':
      return actual < wanted;
    case '<=':
      return actual <= wanted;
  }
}

function compareStrings(actual: string, comparator: StringComparator | ListComparator, wanted: string | readonly string[]): boolean {
  switch (comparator) {
    case '=':
      return actual === wanted;
    case '!=':
      return actual !== wanted;
    case 'LIKE':
      return likeMatches(actual, wanted as string, false);
    case 'ILIKE':
      return likeMatches(actual, wanted as string, true);
    case 'IN':
      return (wanted as readonly string[]).includes(actual);
    case 'NOT IN':
      return !(wanted as readonly string[]).includes(actual);
  }
}

function stringAttribute(run: RefRun, key: StringAttribute): string {
  switch (key) {
    case 'run_id':
      return run.runId;
    case 'run_name':
      return run.runName;
    case 'status':
      return run.status;
    case 'user_id':
      return run.userId;
    case 'artifact_uri':
      return run.artifactUri;
  }
}

function numericAttribute(run: RefRun, key: NumericAttribute): number | null {
  return key === 'start_time' ? run.startTime : run.endTime;
}

/** Whether one clause keeps `run`. */
export function clauseMatches(run: RefRun, clause: RefClause): boolean {
  switch (clause.entity) {
    case 'metric': {
      const value = latestMetric(run.metrics[clause.key]);
      return value !== undefined && compareNumbers(value, clause.comparator, clause.value);
    }
    case 'param':
    case 'tag': {
      const bag = clause.entity === 'param' ? run.params : run.tags;
      if (!Object.hasOwn(bag, clause.key)) return false;
      return compareStrings(bag[clause.key]!, clause.comparator, clause.value);
    }
    case 'attribute': {
      if (clause.key === 'start_time' || clause.key === 'end_time') {
        const value = numericAttribute(run, clause.key);
        return value !== null && compareNumbers(value, clause.comparator as NumericComparator, clause.value as number);
      }
      return compareStrings(stringAttribute(run, clause.key), clause.comparator as StringComparator | ListComparator, clause.value as string | string[]);
    }
    case 'dataset':
      return run.inputs.some((input) => {
        const value = clause.key === 'context' ? input.context : input[clause.key];
        return value !== null && compareStrings(value, clause.comparator, clause.value);
      });
  }
}

// ---- order ----

/**
 * Whether the runs table reads a param as a number. Written apart from Orrery's regular expression:
 * JS's Number() reads exactly the decimal literals once spaces, empty text, hex/octal/binary
 * prefixes and the infinities are ruled out.
 */
export function numericParam(value: string): number | null {
  if (value === '' || value !== value.trim() || /[xob]/i.test(value)) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** rank 0: has a value; metrics rank NaN 1; a missing value ranks last (2) in both directions. */
function sortKey(run: RefRun, order: RefOrder, rules: SearchRules): { rank: number; value: number | string | null } {
  switch (order.entity) {
    case 'metric': {
      const value = latestMetric(run.metrics[order.key]);
      if (value === undefined) return { rank: 2, value: null };
      if (Number.isNaN(value)) return { rank: 1, value: null };
      return { rank: 0, value };
    }
    case 'param':
    case 'tag': {
      const bag = order.entity === 'param' ? run.params : run.tags;
      if (!Object.hasOwn(bag, order.key)) return { rank: 2, value: null };
      const value = bag[order.key]!;
      if (order.entity === 'tag' || !rules.numericParams) return { rank: 0, value };
      // Numbers (rank 0) before other text (rank 1).
      const n = numericParam(value);
      return n === null ? { rank: 1, value } : { rank: 0, value: n };
    }
    case 'attribute': {
      if (order.key === 'start_time' || order.key === 'end_time') {
        const value = numericAttribute(run, order.key);
        return value === null ? { rank: 2, value: null } : { rank: 0, value };
      }
      return { rank: 0, value: stringAttribute(run, order.key) };
    }
  }
}

function compareValues(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  return compareCodePoints(String(a), String(b));
}

/** MLflow's order: each order_by key (rank, then value), then start_time DESC, then run_id. */
export function compareRuns(a: RefRun, b: RefRun, orderBy: readonly RefOrder[], rules: SearchRules = MLFLOW_RULES): number {
  for (const order of orderBy) {
    const x = sortKey(a, order, rules);
    const y = sortKey(b, order, rules);
    if (x.rank !== y.rank) return x.rank - y.rank;
    if (x.value !== null && y.value !== null) {
      const d = compareValues(x.value, y.value);
      if (d !== 0) return order.ascending ? d : -d;
    }
  }
  if (a.startTime !== b.startTime) return a.startTime > b.startTime ? -1 : 1;
  return compareCodePoints(a.runId, b.runId);
}

/** The runs `query` returns, in order. */
export function referenceSearch(runs: readonly RefRun[], query: RefQuery, rules: SearchRules = MLFLOW_RULES): RefRun[] {
  return runs
    .filter((run) => query.experimentIds.includes(run.experimentId))
    .filter((run) => query.lifecycle === 'all' || run.lifecycleStage === query.lifecycle)
    .filter((run) => query.filter.every((clause) => clauseMatches(run, clause)))
    .sort((a, b) => compareRuns(a, b, query.orderBy, rules));
}
