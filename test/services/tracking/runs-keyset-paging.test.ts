import type BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunsPage } from '../../../shared/contract/tracking';
import { EventBus } from '../../../electron/services/events/event-bus';
import { openDatabase } from '../../../electron/services/store/database';
import { paramNumber } from '../../../electron/services/tracking/param-number';
import { decodeRunPageToken, encodeRunPageToken } from '../../../electron/services/tracking/run-page-token';
import { TrackingService, type SearchRunsInput } from '../../../electron/services/tracking/tracking-service';
import { ManualClock } from '../../fakes/manual-clock';
import { refusal } from '../../helpers/refusal';
import { tempDir } from '../../helpers/temp-dir';

/**
 * runs/search pages with keyset page tokens (each page starts after the previous page's last
 * row). At 10k runs, with ties, NaN, ±Infinity, missing values and runs without a start time,
 * every page followed to the end must give exactly the order a plain sort in JS gives, for each
 * order the fast paths serve (default, start_time, one metric, one param in both dialects, one
 * tag) and for the general one (several keys), with and without filters.
 */

const RUNS = 10_000;
const T0 = 1_700_000_000_000;

interface Model {
  runId: string;
  startTime: number | null;
  acc?: number;
  loss?: number;
  lr?: string;
  team?: string;
  deleted: boolean;
}

let db: BetterSqlite3.Database;
let tracking: TrackingService;
let experimentId: string;
const runs: Model[] = [];

/** A small deterministic generator (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(() => {
  db = openDatabase({ dataDir: tempDir() }).db;
  tracking = new TrackingService({ db, bus: new EventBus(), now: new ManualClock(T0).now, environment: () => null });
  experimentId = tracking.createExperiment('keyset');
  const other = tracking.createExperiment('elsewhere');
  const rand = random(16);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  db.transaction(() => {
    for (let i = 0; i < RUNS; i++) {
      // 400 distinct start times: every value ties with ~25 runs, so the run id decides often.
      const startTime = T0 + Math.floor(rand() * 400) * 1000;
      const { runId } = tracking.createRun({ experimentId, startTime, tags: [] });
      const run: Model = { runId, startTime, deleted: false };
      const u = rand();
      // Metric values on a coarse grid (ties), some NaN and ±Infinity, some runs without it.
      if (u < 0.05) run.acc = Number.NaN;
      else if (u < 0.07) run.acc = pick([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
      else if (u < 0.85) run.acc = Math.floor(rand() * 50) / 50 - 0.2;
      if (rand() < 0.9) run.loss = Math.floor(rand() * 100) / 100;
      const v = rand();
      if (v < 0.4) run.lr = String(Math.floor(rand() * 30) / 10);
      else if (v < 0.6) run.lr = pick(['1e-3', '10', '2.0', '-2', '.5']);
      else if (v < 0.9) run.lr = pick(['adam', 'sgd', 'Adam', 'inf', '1e', '']);
      if (rand() < 0.8) run.team = pick(['cv', 'nlp', 'rl', 'nl']);
      const metrics = [
        ...(run.acc === undefined ? [] : [{ key: 'acc', value: run.acc, timestamp: T0, step: 1 }]),
        ...(run.loss === undefined ? [] : [{ key: 'loss', value: run.loss, timestamp: T0, step: 1 }]),
      ];
      tracking.logBatch(runId, { metrics, params: run.lr === undefined ? [] : [{ key: 'lr', value: run.lr }], tags: run.team === undefined ? [] : [{ key: 'team', value: run.team }] });
      if (rand() < 0.03) {
        tracking.setRunLifecycle(runId, 'deleted');
        run.deleted = true;
      }
      runs.push(run);
    }
    for (let i = 0; i < 300; i++) {
      const { runId } = tracking.createRun({ experimentId: other, startTime: T0 + i, tags: [{ key: 'team', value: 'cv' }] });
      tracking.logBatch(runId, { metrics: [{ key: 'acc', value: rand(), timestamp: T0, step: 1 }], params: [{ key: 'lr', value: '0.1' }], tags: [] });
    }
  })();
  // start_time may be NULL in the schema (a run imported without one): those sort after every start time.
  const nulls = runs.filter((_, i) => i % 997 === 0);
  for (const run of nulls) {
    db.prepare('UPDATE runs SET start_time = NULL WHERE run_id = ?').run(run.runId);
    run.startTime = null;
  }
}, 120_000);
afterAll(() => db.close());

// ---- the reference order, in plain JS ----

type Compare = (a: Model, b: Model) => number;
const cmp = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);
/** Ties: newest first (runs without a start time last), then run id. */
const tieBreak: Compare = (a, b) => {
  if (a.startTime !== b.startTime) {
    if (a.startTime === null) return 1;
    if (b.startTime === null) return -1;
    return b.startTime - a.startTime;
  }
  return cmp(a.runId, b.runId);
};
/** Missing last in both directions; values by `order`. */
function missingLast<T>(get: (r: Model) => T | undefined, order: (x: T, y: T) => number): Compare {
  return (a, b) => {
    const x = get(a);
    const y = get(b);
    if (x === undefined || y === undefined) return x === undefined ? (y === undefined ? 0 : 1) : -1;
    return order(x, y);
  };
}
const text = (desc: boolean) => (x: string, y: string) => (desc ? cmp(y, x) : cmp(x, y));
/** MLflow: numbers, then NaN, then runs without the metric, in either direction. */
const byMetric = (key: 'acc' | 'loss', desc: boolean): Compare =>
  missingLast(
    (r) => r[key],
    (x: number, y: number) => (Number.isNaN(x) || Number.isNaN(y) ? Number(Number.isNaN(x)) - Number(Number.isNaN(y)) : desc ? cmp(y, x) : cmp(x, y)),
  );
const byParamText = (desc: boolean): Compare => missingLast((r) => r.lr, text(desc));
/** The runs table: numbers by value, then other values as text, then runs without the param. */
const byParamNumber = (desc: boolean): Compare =>
  missingLast(
    (r) => r.lr,
    (x: string, y: string) => {
      const nx = paramNumber(x);
      const ny = paramNumber(y);
      if (nx === null || ny === null) return nx === null ? (ny === null ? (desc ? cmp(y, x) : cmp(x, y)) : 1) : -1;
      return desc ? cmp(ny, nx) : cmp(nx, ny);
    },
  );
const byTeam = (desc: boolean): Compare => missingLast((r) => r.team, text(desc));
const byStart = (desc: boolean): Compare => missingLast((r) => r.startTime ?? undefined, (x: number, y: number) => (desc ? y - x : x - y));

function reference(filter: (r: Model) => boolean, ...order: Compare[]): string[] {
  const all = [...order, tieBreak];
  return runs
    .filter((r) => !r.deleted && filter(r))
    .sort((a, b) => {
      for (const c of all) {
        const d = c(a, b);
        if (d !== 0) return d;
      }
      return 0;
    })
    .map((r) => r.runId);
}

// ---- paging through the service ----

const input = (fields: Partial<SearchRunsInput>): SearchRunsInput => ({ experimentIds: [experimentId], lifecycle: 'active', maxResults: 250, ...fields });
const NO_COLUMNS = { params: [], metrics: [], tags: [] };

/** Every page, following the tokens, as MLflow's runs/search (or the runs table) gives them. */
function allPages(fields: Partial<SearchRunsInput>, dialect: 'mlflow' | 'orrery' = 'mlflow'): string[] {
  const ids: string[] = [];
  let pageToken: string | null = null;
  let pages = 0;
  do {
    const page = tracking.searchRuns(input({ ...fields, pageToken, columns: NO_COLUMNS }), { dialect });
    ids.push(...page.runs.map((r) => r.runId));
    expect(page.runs.length).toBeLessThanOrEqual(fields.maxResults ?? 250);
    pageToken = page.nextPageToken;
    if (++pages > RUNS) throw new Error('the tokens never ended');
  } while (pageToken);
  return ids;
}

const all = () => true;

describe('keyset pages at 10k runs equal one unpaged sort', () => {
  it('default order (newest first), and by start_time both ways', () => {
    expect(allPages({})).toEqual(reference(all));
    expect(allPages({ orderBy: ['attributes.start_time ASC'] })).toEqual(reference(all, byStart(false)));
    expect(allPages({ orderBy: ['attributes.start_time DESC'], maxResults: 97 })).toEqual(reference(all, byStart(true)));
  });

  it.each([
    ['ASC', false],
    ['DESC', true],
  ])('a metric %s: numbers, then NaN, then runs without it', (word, desc) => {
    const expected = reference(all, byMetric('acc', desc));
    expect(allPages({ orderBy: [`metrics.acc ${word}`] })).toEqual(expected);
    // A page boundary falling at every kind of place: inside ties, at NaN, at the missing runs.
    expect(allPages({ orderBy: [`metrics.acc ${word}`], maxResults: 97 })).toEqual(expected);
  });

  it.each([
    ['ASC', false],
    ['DESC', true],
  ])('a param %s: as text for MLflow, numbers first for the runs table', (word, desc) => {
    expect(allPages({ orderBy: [`params.lr ${word}`] })).toEqual(reference(all, byParamText(desc)));
    expect(allPages({ orderBy: [`params.lr ${word}`] }, 'orrery')).toEqual(reference(all, byParamNumber(desc)));
  });

  it('a tag, and several keys at once', () => {
    expect(allPages({ orderBy: ['tags.team DESC'] })).toEqual(reference(all, byTeam(true)));
    // Several keys are one general query that sorts every run: larger pages keep this test short.
    expect(allPages({ orderBy: ['tags.team ASC', 'metrics.acc DESC'], maxResults: 1000 })).toEqual(reference(all, byTeam(false), byMetric('acc', true)));
    expect(allPages({ orderBy: ['params.lr DESC', 'attributes.start_time ASC'], maxResults: 1000 }, 'orrery')).toEqual(
      reference(all, byParamNumber(true), byStart(false)),
    );
  });

  it('filters with an order: on the sorted metric, on another, on tags and params', () => {
    const loss = (r: Model) => r.loss !== undefined && r.loss < 0.3;
    expect(allPages({ filter: 'metrics.loss < 0.3', orderBy: ['metrics.acc DESC'] })).toEqual(reference(loss, byMetric('acc', true)));
    const accRange = (r: Model) => r.acc !== undefined && !Number.isNaN(r.acc) && r.acc >= 0 && r.acc < 0.5;
    expect(allPages({ filter: 'metrics.acc >= 0 and metrics.acc < 0.5', orderBy: ['metrics.acc ASC'] })).toEqual(reference(accRange, byMetric('acc', false)));
    const team = (r: Model) => r.team !== undefined && /^n/.test(r.team) && r.lr !== 'adam';
    expect(allPages({ filter: "tags.team LIKE 'n%' and params.lr != 'adam'", orderBy: ['params.lr ASC'] })).toEqual(
      reference((r) => team(r) && r.lr !== undefined, byParamText(false)),
    );
    expect(allPages({ filter: "tags.team = 'cv'" })).toEqual(reference((r) => r.team === 'cv'));
  });

  it('deleted runs too, when asked, and only this experiment', () => {
    const expected = runs
      .slice()
      .sort((a, b) => byMetric('acc', true)(a, b) || tieBreak(a, b))
      .map((r) => r.runId);
    expect(allPages({ orderBy: ['metrics.acc DESC'], lifecycle: 'all' })).toEqual(expected);
  });

  it('the runs table gets the total on every page; MLflow runs/search never counts', () => {
    const expected = reference((r) => r.loss !== undefined && r.loss >= 0.5);
    let pageToken: string | null = null;
    do {
      const page: RunsPage = tracking.queryRuns({ ...input({ filter: 'metrics.loss >= 0.5', pageToken, maxResults: 1000 }), columns: NO_COLUMNS });
      expect(page.total).toBe(expected.length);
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(tracking.queryRuns({ ...input({ filter: "tags.team = 'rl' and metrics.acc > 0" }), columns: NO_COLUMNS }).total).toBe(
      reference((r) => r.team === 'rl' && r.acc !== undefined && r.acc > 0).length,
    );
    expect(tracking.searchRuns(input({ filter: 'metrics.loss >= 0.5' })).total).toBeNull();
  });
});

describe('page tokens that are not ours', () => {
  const firstToken = (orderBy: string[]) => tracking.searchRuns(input({ orderBy, maxResults: 10 })).nextPageToken!;

  it('refuses a tampered token, naming the field as the caller wrote it', () => {
    const token = firstToken(['metrics.acc DESC']);
    const body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k: unknown[] };
    const tampered = Buffer.from(JSON.stringify({ ...body, k: body.k.slice(1) })).toString('base64url');
    for (const bad of ['garbage!', tampered, Buffer.from('{"offset":40}').toString('base64url')]) {
      const error = refusal(() => tracking.searchRuns(input({ orderBy: ['metrics.acc DESC'], pageToken: bad })));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain('Invalid pageToken');
      const mlflow = refusal(() => tracking.searchRuns(input({ orderBy: ['metrics.acc DESC'], pageToken: bad }), { pageTokenField: 'page_token' }));
      expect(mlflow.message).toContain('Invalid page_token');
    }
  });

  it('refuses a token from a search with another order', () => {
    const token = firstToken(['metrics.acc DESC']);
    expect(refusal(() => tracking.searchRuns(input({ orderBy: ['metrics.acc ASC'], pageToken: token }))).message).toMatch(/^Invalid pageToken '[\w-]+…'\.$/);
    expect(refusal(() => tracking.searchRuns(input({ orderBy: ['params.lr ASC'], pageToken: token }))).code).toBe('INVALID_INPUT');
  });
});

describe('a page token carries the last row exactly', () => {
  it('round-trips ±Infinity, text that looks like a number, empty text and NULL', () => {
    const cursor = { order: 'm:m-acc', segment: 2, values: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.1 + 0.2, 'n5', '', null, 1_700_000_000_000] };
    const token = encodeRunPageToken(cursor);
    expect(token).toMatch(/^[\w-]+$/);
    expect(decodeRunPageToken(token, 'pageToken', 'm:m-acc')).toEqual(cursor);
    expect(decodeRunPageToken(null)).toBeNull();
  });
});
