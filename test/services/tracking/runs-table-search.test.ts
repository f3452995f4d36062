import type BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../electron/services/events/event-bus';
import { openDatabase } from '../../../electron/services/store/database';
import { TrackingService, type SearchRunsInput } from '../../../electron/services/tracking/tracking-service';
import { ManualClock } from '../../fakes/manual-clock';
import { refusal } from '../../helpers/refusal';
import { tempDir } from '../../helpers/temp-dir';

/**
 * The runs table's own search rules (tracking.queryRuns) beside MLflow's (tracking.searchRuns,
 * what runs/search answers): a param that is a number sorts as one, and IN works on params, tags
 * and string attributes. The random cases are in search-reference-model.test.ts.
 */

let db: BetterSqlite3.Database;
let tracking: TrackingService;
let experimentId: string;
const ids: Record<string, string> = {};

const LRS = { a: '10', b: '9', c: '0.5', d: 'adam', e: '1e-3', f: '-2', g: 'inf', h: '2.0', i: '2' };

beforeEach(() => {
  db = openDatabase({ dataDir: tempDir() }).db;
  const clock = new ManualClock(1_000);
  tracking = new TrackingService({ db, bus: new EventBus(), now: clock.now, environment: () => ({ gpus: 0 }) });
  experimentId = tracking.createExperiment('sweep');
  for (const [name, lr] of Object.entries(LRS)) {
    // One start time for all: ties fall to run_id, so the expected orders below state only the rule.
    ids[name] = tracking.createRun({ experimentId, name, startTime: 5_000, tags: [{ key: 'team', value: name < 'e' ? 'cv' : 'nlp' }] }).runId;
    tracking.logBatch(ids[name], { metrics: [], params: [{ key: 'lr', value: lr }], tags: [] });
  }
  ids.none = tracking.createRun({ experimentId, name: 'none', startTime: 5_000, tags: [] }).runId;
});
afterEach(() => db.close());

const input = (fields: Partial<SearchRunsInput>): SearchRunsInput => ({ experimentIds: [experimentId], lifecycle: 'active', maxResults: 100, ...fields });
const columns = { params: ['lr'], metrics: [], tags: [] };

/** Every page of the runs table's query, `pageSize` runs at a time, as its lr values. */
function tableOrder(orderBy: string[], pageSize: number, filter?: string): string[] {
  const values: string[] = [];
  let pageToken: string | null = null;
  do {
    const page = tracking.queryRuns({ ...input({ orderBy, maxResults: pageSize, pageToken, filter }), columns });
    values.push(...page.runs.map((r) => r.params.lr ?? '∅'));
    pageToken = page.nextPageToken;
  } while (pageToken);
  return values;
}

const byRunId = (names: string[]) => [...names].sort((x, y) => (ids[x]! < ids[y]! ? -1 : 1)).map((n) => (n === 'none' ? '∅' : LRS[n as keyof typeof LRS]));

describe('the runs table (tracking.queryRuns)', () => {
  it('sorts a param by number where it is one, then the rest as text, then runs without it; the same over pages', () => {
    // 2 and 2.0 are one number: they tie, and the tie goes to run_id like any other.
    const twos = byRunId(['h', 'i']);
    const ascending = ['-2', '1e-3', '0.5', ...twos, '9', '10', 'adam', 'inf', '∅'];
    const descending = ['10', '9', ...twos, '0.5', '1e-3', '-2', 'inf', 'adam', '∅'];
    for (const pageSize of [100, 1, 4]) {
      expect(tableOrder(['params.lr ASC'], pageSize)).toEqual(ascending);
      expect(tableOrder(['params.lr DESC'], pageSize)).toEqual(descending);
    }
  });

  it('MLflow runs/search keeps sorting params as text', () => {
    const page = tracking.searchRuns(input({ orderBy: ['params.lr ASC'] }));
    expect(page.runs.map((r) => r.params.lr ?? '∅')).toEqual(['-2', '0.5', '10', '1e-3', '2', '2.0', '9', 'adam', 'inf', '∅']);
  });

  it('filters with IN and NOT IN on params, tags and attributes; MLflow runs/search refuses a list on a param', () => {
    expect(tableOrder(['params.lr ASC'], 100, "params.lr IN ('9', '10', 'adam', 'nope')")).toEqual(['9', '10', 'adam']);
    // A run without the param is in neither IN nor NOT IN, as with every other comparison on it.
    expect(tableOrder(['params.lr ASC'], 100, "params.lr NOT IN ('9', '10', 'adam', '2', '2.0', 'inf')")).toEqual(['-2', '1e-3', '0.5']);
    expect(tableOrder(['params.lr ASC'], 100, "tags.team IN ('nlp') and attributes.run_name NOT IN ('g', 'h')")).toEqual(['-2', '1e-3', '2']);
    expect(tableOrder(['params.lr ASC'], 100, "attributes.status IN ('RUNNING') and run_name IN ('a', 'none')")).toEqual(['10', '∅']);

    const mlflow = refusal(() => tracking.searchRuns(input({ filter: "params.lr IN ('9')" })));
    expect(mlflow.message).toBe("Expected a quoted string value for parameter (e.g. 'my-value'). Got value ('9')");
    const table = refusal(() => tracking.queryRuns({ ...input({ filter: 'params.lr IN ()' }), columns }));
    expect(table).toMatchObject({ code: 'INVALID_INPUT', message: 'While parsing a list in the query, expected a non-empty list of string values, but got empty list' });
  });
});
