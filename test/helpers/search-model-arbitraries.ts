import fc from 'fast-check';
import {
  DATASET_FIELDS,
  LIST_COMPARATORS,
  NUMERIC_COMPARATORS,
  STRING_COMPARATORS,
  latestMetric,
  type DatasetField,
  type Lifecycle,
  type OrderAttribute,
  type RefClause,
  type RefDatasetInput,
  type RefMetricPoint,
  type RefOrder,
  type RefQuery,
  type RefRun,
  type RunStatus,
  type StringAttribute,
} from './mlflow-search-reference';

/**
 * Random run stores and random runs/search queries for the reference-model tests
 * (test/server/mlflow/runs-search-reference-model.test.ts, test/services/tracking/search-reference-model.test.ts).
 * A store is a list of RunSpecs the test creates through the real API; a query is a structured
 * filter and order (what test/helpers/mlflow-search-reference.ts evaluates) plus the spelling
 * choices used to render it as MLflow filter text.
 */

// ---- stores ----

/** Few keys, some differing only in case, some that must be quoted (space, dot). */
export const METRIC_KEYS = ['acc', 'Acc', 'loss', 'val loss', 'eval.f1'] as const;
export const PARAM_KEYS = ['lr', 'LR', 'optimizer', 'batch size', 'model.depth'] as const;
export const TAG_KEYS = ['team', 'Team', 'note', 'stage.v'] as const;
export const RUN_NAME_TAG = 'mlflow.runName';
export const STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];
const DATASET_NAMES = ['digits', 'iris', 'Iris', 'mnist_v2'];
const DATASET_DIGESTS = ['abc123', 'ABC123', 'd1'];
const DATASET_CONTEXTS = ['training', 'eval', 'Training'];
const USERS = ['alice', 'Alice', 'bob', ''];

/** Start times from a small pool, so ties (broken by run_id) are common. */
export const T0 = 1_764_130_000_000;
const START_TIMES = Array.from({ length: 8 }, (_, i) => T0 + i * 1000);

/**
 * Characters for names and values: case pairs (ASCII and not), LIKE's wildcards as literals,
 * GLOB's special characters (Orrery translates LIKE to GLOB), and an astral character, which is
 * one character to `_` but two UTF-16 units to JavaScript.
 */
const ALPHABET = ['a', 'b', 'A', 'B', 'x', '0', '1', '.', '-', ' ', '_', '%', '*', '?', '[', ']', 'é', 'É', '日', '😀'];
const chars = fc.constantFrom(...ALPHABET);
export const valueArb = fc.string({ unit: chars, minLength: 0, maxLength: 6 });
/**
 * Param values: text as above, or numbers as people log them and near misses the runs table must
 * not read as numbers (spaces, hex, infinities), so that sorting by a param meets both.
 */
const paramValueArb = fc.oneof(
  { arbitrary: valueArb, weight: 2 },
  {
    arbitrary: fc.constantFrom('1', '10', '9', '2', '0.5', '-1', '1e-3', '1.0', '.5', '1.', '+2', '-0', '1e999', 'inf', 'NaN', '0x10', ' 1', '1 ', '1e3'),
    weight: 2,
  },
  { arbitrary: fc.integer({ min: -20, max: 20 }).map(String), weight: 1 },
  { arbitrary: fc.double({ min: -1e3, max: 1e3, noNaN: true }).map(String), weight: 1 },
);
/** Run names: never empty and never padded (runs/create trims a name; MLflow's UI does too). */
const nameArb = fc
  .string({ unit: chars, minLength: 1, maxLength: 6 })
  .map((s) => s.trim())
  .filter((s) => s.length > 0);

/** A few round values (so equality and ties happen), the three non-finite ones, and any double. */
export const metricValueArb: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.constantFrom(-2, -1, -0.5, 0, 0.25, 0.5, 1, 2, 1e10, -1e-3), weight: 5 },
  { arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY), weight: 2 },
  { arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((v) => !Object.is(v, -0)), weight: 1 },
);

/** A metric's points: distinct (step, timestamp) pairs, logged in any order. */
const pointsArb: fc.Arbitrary<RefMetricPoint[]> = fc.uniqueArray(
  fc.record({ value: metricValueArb, step: fc.integer({ min: 0, max: 4 }), timestamp: fc.integer({ min: T0, max: T0 + 3 }) }),
  { minLength: 1, maxLength: 4, selector: (p) => `${p.step}/${p.timestamp}` },
);

const optionalRecord = <T>(keys: readonly string[], arb: fc.Arbitrary<T>): fc.Arbitrary<Record<string, T>> =>
  fc.record(Object.fromEntries(keys.map((k) => [k, arb])) as Record<string, fc.Arbitrary<T>>, { requiredKeys: [] }) as fc.Arbitrary<
    Record<string, T>
  >;

export interface RunSpec {
  /** Index into the store's experiments. */
  experiment: number;
  name: string;
  userId: string;
  startTime: number;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, RefMetricPoint[]>;
  /** Points go in two log-batch calls: those at index < split, then the rest. */
  split: number;
  inputs: RefDatasetInput[];
  /** A new name, set by runs/update (run_name) or by setting the mlflow.runName tag. */
  rename: { to: string; via: 'update' | 'tag' } | null;
  /** runs/update with a status and maybe an end_time; null: the run stays RUNNING with no end. */
  update: { status: RunStatus; endTime: number | null } | null;
  deleted: boolean;
}

const runSpecArb = (experiments: number): fc.Arbitrary<RunSpec> =>
  fc.record({
    experiment: fc.integer({ min: 0, max: experiments - 1 }),
    name: nameArb,
    userId: fc.constantFrom(...USERS),
    startTime: fc.constantFrom(...START_TIMES),
    params: optionalRecord(PARAM_KEYS, paramValueArb),
    tags: optionalRecord(TAG_KEYS, valueArb),
    metrics: optionalRecord(METRIC_KEYS, pointsArb),
    split: fc.integer({ min: 0, max: 4 }),
    inputs: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom(...DATASET_NAMES),
        digest: fc.constantFrom(...DATASET_DIGESTS),
        context: fc.option(fc.constantFrom(...DATASET_CONTEXTS), { nil: null }),
      }),
      { maxLength: 2, selector: (d) => `${d.name}/${d.digest}` },
    ),
    rename: fc.option(fc.record({ to: nameArb, via: fc.constantFrom<'update' | 'tag'>('update', 'tag') }), { nil: null, freq: 4 }),
    update: fc.option(
      fc.record({
        status: fc.constantFrom<RunStatus>('FINISHED', 'FAILED', 'KILLED', 'SCHEDULED', 'RUNNING'),
        endTime: fc.option(fc.integer({ min: T0, max: T0 + 10_000 }), { nil: null, freq: 3 }),
      }),
      { nil: null, freq: 3 },
    ),
    // About one run in six is deleted.
    deleted: fc.integer({ min: 0, max: 5 }).map((roll) => roll === 0),
  });

export const EXPERIMENTS_PER_STORE = 2;

/** 30 to 60 runs over two experiments, about one in six deleted. */
export const storeArb: fc.Arbitrary<RunSpec[]> = fc.array(runSpecArb(EXPERIMENTS_PER_STORE), { minLength: 30, maxLength: 60 });

/** The run as the reference sees it, once the server has given it an id. */
export function refRunOf(spec: RunSpec, runId: string, experimentId: string): RefRun {
  const runName = spec.rename?.to ?? spec.name;
  return {
    runId,
    experimentId,
    runName,
    status: spec.update?.status ?? 'RUNNING',
    startTime: spec.startTime,
    endTime: spec.update?.endTime ?? null,
    userId: spec.userId,
    // README: "A run's artifact_uri is mlflow-artifacts:/<experiment>/<run>/artifacts".
    artifactUri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
    lifecycleStage: spec.deleted ? 'deleted' : 'active',
    params: spec.params,
    // MLflow keeps the run name in the mlflow.runName tag as well.
    tags: { ...spec.tags, [RUN_NAME_TAG]: runName },
    metrics: spec.metrics,
    inputs: spec.inputs,
  };
}

/** Metric points in the order they are logged: two batches split at `spec.split`. */
export function metricBatches(spec: RunSpec): [Array<RefMetricPoint & { key: string }>, Array<RefMetricPoint & { key: string }>] {
  const first: Array<RefMetricPoint & { key: string }> = [];
  const second: Array<RefMetricPoint & { key: string }> = [];
  for (const [key, points] of Object.entries(spec.metrics)) {
    points.forEach((p, i) => (i < spec.split ? first : second).push({ key, ...p }));
  }
  return [first, second];
}

// ---- queries ----

/** Spelling choices: which alias, quote or letter case renders a clause. Any value works. */
export interface Spelling {
  entity: number;
  key: number;
  value: number;
  word: number;
}
const spellingArb: fc.Arbitrary<Spelling> = fc.record({ entity: fc.nat(11), key: fc.nat(11), value: fc.nat(11), word: fc.nat(11) });

export interface StyledClause {
  clause: RefClause;
  spelling: Spelling;
}
export interface StyledOrder {
  order: RefOrder;
  spelling: Spelling;
}

export interface QueryCase {
  experimentIds: string[];
  lifecycle: Lifecycle | 'all';
  clauses: StyledClause[];
  order: StyledOrder[];
  /** max_results / pageSize. */
  pageSize: number;
  /** AND, and, And. */
  joiner: number;
}

const uniq = <T>(values: Iterable<T>): T[] => [...new Set(values)];

/** One of `keys`, or now and then a key no run has. */
const keyArb = (keys: readonly string[]) => fc.oneof({ arbitrary: fc.constantFrom(...keys), weight: 9 }, { arbitrary: fc.constant('missing'), weight: 1 });

/** What runs hold, so generated clauses hit real keys and values as often as they miss. */
interface Pools {
  metricKeys: string[];
  paramKeys: string[];
  tagKeys: string[];
  metricValues: number[];
  params: string[];
  tags: string[];
  names: string[];
  users: string[];
  runIds: string[];
  uris: string[];
  times: number[];
  dataset: Record<DatasetField, string[]>;
}

/** `values`, or `fallback` when there are none. */
const orElse = <T>(values: T[], fallback: readonly T[]): T[] => (values.length > 0 ? values : [...fallback]);

function poolsOf(runs: readonly RefRun[]): Pools {
  const inputs = runs.flatMap((r) => r.inputs);
  return {
    metricKeys: orElse(uniq(runs.flatMap((r) => Object.keys(r.metrics))), METRIC_KEYS),
    paramKeys: orElse(uniq(runs.flatMap((r) => Object.keys(r.params))), PARAM_KEYS),
    tagKeys: orElse(uniq(runs.flatMap((r) => Object.keys(r.tags))), TAG_KEYS),
    // Every logged value, not only the latest: an older value is a near miss worth asking about.
    metricValues: uniq(runs.flatMap((r) => Object.values(r.metrics).flatMap((points) => points.map((p) => p.value))).filter(Number.isFinite)),
    params: uniq(runs.flatMap((r) => Object.values(r.params))),
    tags: uniq(runs.flatMap((r) => Object.values(r.tags))),
    names: uniq(runs.map((r) => r.runName)),
    users: uniq(runs.map((r) => r.userId)),
    runIds: runs.map((r) => r.runId),
    uris: runs.map((r) => r.artifactUri),
    times: uniq(runs.flatMap((r) => (r.endTime === null ? [r.startTime] : [r.startTime, r.endTime]))),
    dataset: {
      name: orElse(uniq(inputs.map((i) => i.name)), DATASET_NAMES),
      digest: orElse(uniq(inputs.map((i) => i.digest)), DATASET_DIGESTS),
      context: orElse(uniq(inputs.flatMap((i) => (i.context === null ? [] : [i.context]))), DATASET_CONTEXTS),
    },
  };
}

const flipCase = (ch: string): string => {
  const other = ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase();
  // ß → SS and the like would change the length: keep those as they are.
  return [...other].length === 1 ? other : ch;
};

/** A LIKE pattern made from a real value: some characters kept, some flipped in case, some wildcards. */
function patternArb(pool: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom(...pool),
      fc.array(fc.constantFrom('keep', 'keep', 'keep', 'keep', '_', '%', 'flip', 'drop'), { maxLength: 8 }),
      fc.boolean(),
      fc.boolean(),
    )
    .map(([source, ops, before, after]) => {
      let out = before ? '%' : '';
      [...source].forEach((ch, i) => {
        const op = ops[i] ?? 'keep';
        if (op === 'keep') out += ch;
        else if (op === '_') out += '_';
        else if (op === '%') out += '%';
        else if (op === 'flip') out += flipCase(ch);
      });
      return after ? `${out}%` : out;
    });
}

/** A string to compare with: a real value, a case-flipped one, a pattern, or anything. */
function stringArb(pool: readonly string[], like: boolean): fc.Arbitrary<string> {
  const real = pool.length > 0 ? pool : [''];
  return fc.oneof(
    { arbitrary: fc.constantFrom(...real), weight: like ? 1 : 4 },
    { arbitrary: fc.constantFrom(...real).map((s) => [...s].map(flipCase).join('')), weight: 1 },
    { arbitrary: patternArb(real), weight: like ? 4 : 0 },
    { arbitrary: valueArb, weight: 1 },
  );
}

function stringClauseParts(pool: readonly string[]): fc.Arbitrary<{ comparator: (typeof STRING_COMPARATORS)[number]; value: string }> {
  return fc
    .constantFrom(...STRING_COMPARATORS)
    .chain((comparator) => stringArb(pool, comparator === 'LIKE' || comparator === 'ILIKE').map((value) => ({ comparator, value })));
}

function numberArb(pool: readonly number[]): fc.Arbitrary<number> {
  const real = pool.length > 0 ? pool : [0];
  return fc.oneof(
    { arbitrary: fc.constantFrom(...real), weight: 4 },
    { arbitrary: fc.constantFrom(...real).chain((v) => fc.constantFrom(v - 1, v + 1, v / 2)), weight: 1 },
    { arbitrary: fc.constantFrom(-2, -1, 0, 0.5, 1, 3, 1e300, -1e300), weight: 1 },
    { arbitrary: fc.integer({ min: -8, max: 8 }).map((n) => (n === 0 ? 0 : n / 2)), weight: 1 },
    { arbitrary: fc.double({ min: -1e7, max: 1e7, noNaN: true }).filter((v) => !Object.is(v, -0)), weight: 1 },
  );
}

/** IN / NOT IN with values from `pool` (and now and then one no run has). */
function listParts(pool: readonly string[]): fc.Arbitrary<{ comparator: (typeof LIST_COMPARATORS)[number]; value: string[] }> {
  const real = pool.length > 0 ? pool : [''];
  return fc.record({
    comparator: fc.constantFrom(...LIST_COMPARATORS),
    value: fc.uniqueArray(fc.oneof({ arbitrary: fc.constantFrom(...real), weight: 5 }, { arbitrary: valueArb, weight: 1 }), { minLength: 1, maxLength: 4 }),
  });
}

/** Lists MLflow refuses and the runs table takes: on params, tags and string attributes other than run_id. */
function runsTableListArb(pools: Pools): fc.Arbitrary<RefClause> {
  const attribute = (key: StringAttribute, pool: readonly string[]) => listParts(pool).map((p): RefClause => ({ entity: 'attribute', key, ...p }));
  return fc.oneof(
    fc.tuple(keyArb(pools.paramKeys), listParts(pools.params)).map(([key, p]): RefClause => ({ entity: 'param', key, ...p })),
    fc.tuple(keyArb(pools.tagKeys), listParts(pools.tags)).map(([key, p]): RefClause => ({ entity: 'tag', key, ...p })),
    attribute('run_name', pools.names),
    attribute('status', STATUSES),
    attribute('user_id', pools.users),
    attribute('artifact_uri', pools.uris),
  );
}

function clauseArb(pools: Pools, dialect: 'mlflow' | 'orrery'): fc.Arbitrary<RefClause> {
  const metric = fc.record({
    entity: fc.constant('metric' as const),
    key: keyArb(pools.metricKeys),
    comparator: fc.constantFrom(...NUMERIC_COMPARATORS),
    value: numberArb(pools.metricValues),
  });
  const keyed = (entity: 'param' | 'tag', keys: readonly string[], pool: readonly string[]) =>
    fc.tuple(keyArb(keys), stringClauseParts(pool)).map(([key, parts]): RefClause => ({ entity, key, ...parts }));
  const numericAttribute = fc.record({
    entity: fc.constant('attribute' as const),
    key: fc.constantFrom('start_time' as const, 'end_time' as const),
    comparator: fc.constantFrom(...NUMERIC_COMPARATORS),
    value: numberArb(pools.times),
  });
  const stringAttribute = fc.oneof(
    stringClauseParts(pools.names).map((p): RefClause => ({ entity: 'attribute', key: 'run_name', ...p })),
    stringClauseParts([...STATUSES]).map((p): RefClause => ({ entity: 'attribute', key: 'status', ...p })),
    stringClauseParts(pools.users).map((p): RefClause => ({ entity: 'attribute', key: 'user_id', ...p })),
    stringClauseParts(pools.uris).map((p): RefClause => ({ entity: 'attribute', key: 'artifact_uri', ...p })),
    stringClauseParts(pools.runIds).map((p): RefClause => ({ entity: 'attribute', key: 'run_id', ...p })),
  );
  const runIdList = fc.record({
    entity: fc.constant('attribute' as const),
    key: fc.constant('run_id' as const),
    comparator: fc.constantFrom(...LIST_COMPARATORS),
    value: fc.uniqueArray(fc.oneof({ arbitrary: fc.constantFrom(...pools.runIds), weight: 5 }, { arbitrary: fc.constant('0'.repeat(32)), weight: 1 }), {
      minLength: 1,
      maxLength: 4,
    }),
  });
  const dataset = fc.constantFrom(...DATASET_FIELDS).chain((key) =>
    fc.oneof(
      stringClauseParts(pools.dataset[key]).map((p): RefClause => ({ entity: 'dataset', key, ...p })),
      fc
        .tuple(fc.constantFrom(...LIST_COMPARATORS), fc.uniqueArray(fc.constantFrom(...pools.dataset[key]), { minLength: 1, maxLength: 3 }))
        .map(([comparator, value]): RefClause => ({ entity: 'dataset', key, comparator, value })),
    ),
  );
  const all = [
    { arbitrary: metric, weight: 4 },
    { arbitrary: keyed('param', pools.paramKeys, pools.params), weight: 3 },
    { arbitrary: keyed('tag', pools.tagKeys, pools.tags), weight: 3 },
    { arbitrary: numericAttribute, weight: 2 },
    { arbitrary: stringAttribute, weight: 3 },
    { arbitrary: runIdList, weight: 1 },
    { arbitrary: dataset, weight: 2 },
  ];
  return fc.oneof(...all, ...(dialect === 'orrery' ? [{ arbitrary: runsTableListArb(pools), weight: 2 }] : []));
}

const ORDER_ATTRIBUTES: readonly OrderAttribute[] = ['start_time', 'end_time', 'run_name', 'status', 'user_id', 'run_id', 'artifact_uri'];

const orderArb: fc.Arbitrary<RefOrder> = fc.oneof(
  { arbitrary: fc.record({ entity: fc.constant('metric' as const), key: keyArb(METRIC_KEYS), ascending: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ entity: fc.constant('param' as const), key: keyArb(PARAM_KEYS), ascending: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ entity: fc.constant('tag' as const), key: fc.constantFrom(...TAG_KEYS, RUN_NAME_TAG), ascending: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ entity: fc.constant('attribute' as const), key: fc.constantFrom(...ORDER_ATTRIBUTES), ascending: fc.boolean() }), weight: 3 },
);

/**
 * Queries against `runs`, in the store's `experimentIds`. Each query has an anchor run: most of its
 * clauses take their keys and values from that run (so AND-ed clauses still find something) and
 * the rest from the whole store. The 'orrery' dialect (the runs table's) adds IN lists MLflow refuses.
 */
export function queryArb(runs: readonly RefRun[], experimentIds: readonly string[], dialect: 'mlflow' | 'orrery' = 'mlflow'): fc.Arbitrary<QueryCase> {
  const everyone = clauseArb(poolsOf(runs), dialect);
  const subsets = experimentIds.map((id) => [id]);
  if (experimentIds.length > 1) subsets.push([...experimentIds]);
  return fc.constantFrom(...runs).chain((anchor) =>
    fc.record({
      experimentIds: fc.oneof(
        { arbitrary: fc.constantFrom(...subsets.filter((ids) => ids.includes(anchor.experimentId))), weight: 3 },
        { arbitrary: fc.constantFrom(...subsets), weight: 1 },
      ),
      lifecycle: fc.oneof(
        { arbitrary: fc.constant<Lifecycle | 'all'>(anchor.lifecycleStage), weight: 3 },
        { arbitrary: fc.constantFrom<Lifecycle | 'all'>('active', 'deleted', 'all'), weight: 2 },
      ),
      clauses: fc.array(
        fc.record({ clause: fc.oneof({ arbitrary: clauseArb(poolsOf([anchor]), dialect), weight: 3 }, { arbitrary: everyone, weight: 1 }), spelling: spellingArb }),
        { maxLength: 3 },
      ),
      order: fc.uniqueArray(fc.record({ order: orderArb, spelling: spellingArb }), {
        maxLength: 3,
        selector: (o) => `${o.order.entity}.${o.order.key}`,
      }),
      pageSize: fc.oneof({ arbitrary: fc.constant(1000), weight: 3 }, { arbitrary: fc.integer({ min: 1, max: 12 }), weight: 2 }),
      joiner: fc.nat(2),
    }),
  );
}

export function refQueryOf(q: QueryCase): RefQuery {
  return { experimentIds: q.experimentIds, lifecycle: q.lifecycle, filter: q.clauses.map((c) => c.clause), orderBy: q.order.map((o) => o.order) };
}

// ---- rendering as MLflow filter text ----

const ENTITY_ALIASES = {
  metric: ['metrics', 'metric'],
  param: ['params', 'param', 'parameters', 'parameter'],
  tag: ['tags', 'tag'],
  // '' is a bare attribute name: `status = 'FAILED'`.
  attribute: ['attributes', 'attribute', 'attr', 'run', ''],
  dataset: ['datasets', 'dataset'],
} as const;

const pick = <T>(options: readonly T[], n: number): T => options[n % options.length]!;

function renderIdentifier(entity: keyof typeof ENTITY_ALIASES, key: string, s: Spelling): string {
  const alias = pick(ENTITY_ALIASES[entity], s.entity);
  if (entity === 'attribute') {
    // MLflow's aliases for start_time.
    const name = key === 'start_time' ? pick(['start_time', 'created', 'Created'], s.key) : key;
    return alias === '' ? name : `${alias}.${name}`;
  }
  const bare = /^[\p{L}\p{N}_]+$/u.test(key);
  const quote = bare ? pick(['', '`', '"'], s.key) : pick(['`', '"'], s.key);
  return `${alias}.${quote}${key}${quote}`;
}

const word = (text: string, s: Spelling) => pick([text, text.toLowerCase(), text.charAt(0) + text.slice(1).toLowerCase()], s.word);
const quoted = (text: string, s: Spelling) => (s.value % 2 === 0 ? `'${text}'` : `"${text}"`);

export function renderClause({ clause, spelling: s }: StyledClause): string {
  const ident = renderIdentifier(clause.entity, clause.key, s);
  const symbolic = !/[A-Z]/.test(clause.comparator);
  const op = symbolic ? clause.comparator : word(clause.comparator, s);
  const gap = symbolic && s.word % 3 === 0 ? '' : ' ';
  let value: string;
  if (typeof clause.value === 'number') value = String(clause.value);
  else if (typeof clause.value === 'string') value = quoted(clause.value, s);
  else value = `(${clause.value.map((v, i) => quoted(v, { ...s, value: s.value + i })).join(', ')})`;
  return `${ident}${gap}${op}${gap}${value}`;
}

export function renderFilter(q: QueryCase): string {
  const and = pick([' AND ', ' and ', ' And '], q.joiner);
  return q.clauses.map(renderClause).join(and);
}

export function renderOrder({ order, spelling: s }: StyledOrder): string {
  const ident = renderIdentifier(order.entity, order.key, s);
  const direction = order.ascending ? pick(['', ' ASC', ' asc'], s.word) : pick([' DESC', ' desc'], s.word);
  return `${ident}${direction}`;
}

// ---- failure reports ----

const shortId = (id: string) => id.slice(0, 6);

function describeValue(run: RefRun, entity: string, key: string): string {
  switch (entity) {
    case 'metric': {
      const v = latestMetric(run.metrics[key]);
      return v === undefined ? '∅' : String(v);
    }
    case 'param':
      return Object.hasOwn(run.params, key) ? JSON.stringify(run.params[key]) : '∅';
    case 'tag':
      return Object.hasOwn(run.tags, key) ? JSON.stringify(run.tags[key]) : '∅';
    case 'dataset':
      return JSON.stringify(run.inputs);
    default: {
      const attrs: Record<string, unknown> = {
        start_time: run.startTime,
        end_time: run.endTime,
        run_name: run.runName,
        status: run.status,
        user_id: run.userId,
        run_id: run.runId,
        artifact_uri: run.artifactUri,
      };
      return JSON.stringify(attrs[key]);
    }
  }
}

/** Expected and actual ids with the values the query looks at, for a failure message. */
export function explainMismatch(runs: readonly RefRun[], q: QueryCase, expected: readonly string[], actual: readonly string[]): string {
  const byId = new Map(runs.map((r) => [r.runId, r]));
  const fields = uniq([...q.clauses.map((c) => `${c.clause.entity}:${c.clause.key}`), ...q.order.map((o) => `${o.order.entity}:${o.order.key}`)]);
  const line = (id: string) => {
    const run = byId.get(id);
    if (!run) return `${shortId(id)} (unknown run)`;
    const values = fields.map((f) => {
      const [entity, key] = f.split(/:(.*)/s) as [string, string];
      return `${f}=${describeValue(run, entity, key)}`;
    });
    return `${shortId(id)} exp=${run.experimentId} ${run.lifecycleStage} start=${run.startTime} ${values.join(' ')}`;
  };
  const missing = expected.filter((id) => !actual.includes(id));
  const extra = actual.filter((id) => !expected.includes(id));
  const firstDiff = expected.findIndex((id, i) => actual[i] !== id);
  return [
    `filter: ${renderFilter(q)}`,
    `order_by: ${JSON.stringify(q.order.map(renderOrder))}  lifecycle: ${q.lifecycle}  experiments: ${q.experimentIds.join(',')}  page size: ${q.pageSize}`,
    `expected ${expected.length}, got ${actual.length}; first difference at ${firstDiff}`,
    ...(missing.length ? ['missing:', ...missing.map(line)] : []),
    ...(extra.length ? ['unexpected:', ...extra.map(line)] : []),
    'expected order:',
    ...expected.map(line),
    'actual order:',
    ...actual.map(line),
  ].join('\n');
}

/**
 * Under `npm run test:mutation` a failure only has to kill the mutant: stop at the first failing
 * query instead of shrinking it (shrinking re-runs queries and made each killed mutant cost seconds).
 */
export const SHRINK_FAILURES = process.env.ORRERY_MUTATION_RUN !== '1';

/** fast-check's seed for a test: ORRERY_PBT_SEED when set (to explore), else the fixed one. */
export function pbtSeed(fixed: number): number {
  const env = process.env.ORRERY_PBT_SEED;
  return env === undefined || env === '' ? fixed : Number(env) + fixed;
}
