import type BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetricsLoggedEvent, RunChangedEvent } from '../../../shared/contract/tracking';
import { EventBus } from '../../../electron/services/events/event-bus';
import { openDatabase } from '../../../electron/services/store/database';
import { TrackingService, type LogBatch, type SearchRunsInput } from '../../../electron/services/tracking/tracking-service';
import { ManualClock } from '../../fakes/manual-clock';
import { refusal } from '../../helpers/refusal';
import { tempDir } from '../../helpers/temp-dir';

/**
 * TrackingService called directly, on a real store in a temp folder: the rules its HTTP tests
 * (test/server/tracking-rpc.test.ts, test/server/mlflow/) check through the wire, without the wire.
 * Public methods only, so the SQL may move between the service and its repositories freely.
 */

let db: BetterSqlite3.Database;
let bus: EventBus;
let tracking: TrackingService;
let clock: ManualClock;

beforeEach(() => {
  db = openDatabase({ dataDir: tempDir() }).db;
  bus = new EventBus();
  clock = new ManualClock(1_000);
  tracking = new TrackingService({ db, bus, now: clock.now, environment: () => ({ gpus: 0 }) });
});
afterEach(() => db.close());

const batch = (fields: Partial<LogBatch>): LogBatch => ({ metrics: [], params: [], tags: [], ...fields });
const search = (experimentIds: string[], fields: Partial<SearchRunsInput> = {}): SearchRunsInput => ({ experimentIds, lifecycle: 'active', maxResults: 100, ...fields });

/**
 * A message naming the field: the RPC contract's name for it, or MLflow's (its REST adapter's
 * wording, which the service used before the adapter took it over).
 */
function field(contract: string, mlflow = contract): RegExp {
  return new RegExp(`'(${contract}|${mlflow})'`);
}

function run(name = 'r', experimentId = tracking.createExperiment('exp')): string {
  return tracking.createRun({ experimentId, name, tags: [] }).runId;
}

describe('experiments', () => {
  it('creates one with tags; reads it back by id and by name', () => {
    clock.set(5_000);
    const id = tracking.createExperiment('  vision  ', [{ key: 'team', value: 'cv' }]);
    expect(id).toMatch(/^[1-9]\d*$/);
    expect(tracking.getExperiment(id)).toMatchObject({
      experimentId: id,
      name: 'vision',
      lifecycleStage: 'active',
      creationTime: 5_000,
      lastUpdateTime: 5_000,
      tags: { team: 'cv' },
      runCount: 0,
    });
    expect(tracking.getExperiment(Number(id)).name).toBe('vision');
    expect(tracking.getExperimentByName('vision').experimentId).toBe(id);
  });

  it('refuses a taken name, an empty one, and names the field', () => {
    tracking.createExperiment('taken');
    expect(refusal(() => tracking.createExperiment('taken'))).toMatchObject({ code: 'ALREADY_EXISTS', message: expect.stringContaining('taken') });
    expect(refusal(() => tracking.createExperiment('   ')).code).toBe('INVALID_INPUT');
    expect(refusal(() => tracking.createExperiment('   ')).message).toMatch(field('name'));
    expect(refusal(() => tracking.createExperiment(undefined)).message).toMatch(field('name'));
    expect(refusal(() => tracking.createExperiment({ not: 'a string' })).code).toBe('INVALID_INPUT');
  });

  it('renames, and refuses a name another experiment holds', () => {
    const a = tracking.createExperiment('a');
    tracking.createExperiment('b');
    clock.set(2_000);
    expect(tracking.renameExperiment(a, 'a2')).toMatchObject({ experimentId: a, name: 'a2', lastUpdateTime: 2_000 });
    // Its own name again is no clash.
    expect(tracking.renameExperiment(a, 'a2').name).toBe('a2');
    expect(refusal(() => tracking.renameExperiment(a, 'b')).code).toBe('ALREADY_EXISTS');
    const empty = refusal(() => tracking.renameExperiment(a, ' '));
    expect(empty.code).toBe('INVALID_INPUT');
    expect(empty.message).toMatch(field('name', 'new_name'));
    expect(tracking.getExperimentByName('a2').experimentId).toBe(a);
  });

  it('deletes and restores one; the default experiment cannot be deleted', () => {
    const id = tracking.createExperiment('gone');
    expect(tracking.setExperimentLifecycle(id, 'deleted').lifecycleStage).toBe('deleted');
    expect(tracking.searchExperiments({ lifecycle: 'active' }).experiments.map((e) => e.name)).not.toContain('gone');
    expect(tracking.searchExperiments({ lifecycle: 'deleted' }).experiments.map((e) => e.name)).toEqual(['gone']);
    expect(tracking.setExperimentLifecycle(id, 'active').lifecycleStage).toBe('active');
    expect(refusal(() => tracking.setExperimentLifecycle('0', 'deleted'))).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('default experiment') });
    expect(tracking.getExperiment('0').lifecycleStage).toBe('active');
  });

  it('sets a tag, overwriting the old value', () => {
    const id = tracking.createExperiment('tagged');
    tracking.setExperimentTag(id, { key: 'stage', value: 'draft' });
    tracking.setExperimentTag(id, { key: 'stage', value: 'final' });
    expect(tracking.getExperiment(id).tags).toEqual({ stage: 'final' });
    expect(refusal(() => tracking.setExperimentTag(id, { key: '../x', value: 'v' })).code).toBe('INVALID_INPUT');
  });

  it('searches by lifecycle and name pattern, a page at a time, newest update first', () => {
    // After the Default experiment, which the store made at the real time.
    for (const [i, name] of ['alpha', 'beta', 'alps'].entries()) {
      clock.set(Date.now() + 60_000 + i);
      tracking.createExperiment(name);
    }
    expect(tracking.searchExperiments({ lifecycle: 'active', nameLike: 'al%' }).experiments.map((e) => e.name)).toEqual(['alps', 'alpha']);
    const first = tracking.searchExperiments({ lifecycle: 'all', maxResults: 2 });
    expect(first.experiments.map((e) => e.name)).toEqual(['alps', 'beta']);
    expect(first.nextPageToken).not.toBeNull();
    const second = tracking.searchExperiments({ lifecycle: 'all', maxResults: 2, pageToken: first.nextPageToken });
    expect(second.experiments.map((e) => e.name)).toEqual(['alpha', 'Default']);
    expect(second.nextPageToken).toBeNull();
  });

  it('refuses a missing, malformed or unknown id, naming the experiment id', () => {
    const missing = refusal(() => tracking.getExperiment(''));
    expect(missing.code).toBe('INVALID_INPUT');
    expect(missing.message).toMatch(field('experimentId', 'experiment_id'));
    const malformed = refusal(() => tracking.getExperiment('12abc'));
    expect(malformed.code).toBe('INVALID_INPUT');
    expect(malformed.message).toMatch(field('experimentId', 'experiment_id'));
    expect(refusal(() => tracking.getExperiment('999'))).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('999') });
    expect(refusal(() => tracking.getExperimentByName('nobody')).code).toBe('NOT_FOUND');
  });
});

describe('runs', () => {
  it('creates one: RUNNING, named, with its tags, environment and artifact location; publishes it', () => {
    const experimentId = tracking.createExperiment('exp');
    const events: RunChangedEvent[] = [];
    bus.subscribe('tracking.run', (e) => events.push(e));
    clock.set(7_000);
    const created = tracking.createRun({ experimentId, name: 'first', userId: 'ada', tags: [{ key: 'mlflow.source.git.commit', value: 'abc123' }] });
    expect(created).toMatchObject({
      experimentId,
      name: 'first',
      status: 'RUNNING',
      startTime: 7_000,
      endTime: null,
      userId: 'ada',
      lifecycleStage: 'active',
      artifactUri: `mlflow-artifacts:/${experimentId}/${created.runId}/artifacts`,
      tags: { 'mlflow.source.git.commit': 'abc123', 'mlflow.runName': 'first' },
    });
    expect(created.runId).toMatch(/^[0-9a-f]{32}$/);
    expect(events).toEqual([{ runId: created.runId, experimentId, status: 'RUNNING', lifecycleStage: 'active', change: 'created' }]);
    const detail = tracking.getRunDetail(created.runId);
    expect(detail.environment).toMatchObject({ hardware: { gpus: 0 }, client: { 'mlflow.source.git.commit': 'abc123' } });
    expect(detail.source.gitCommit).toBe('abc123');
    expect(tracking.getExperiment(experimentId).runCount).toBe(1);
  });

  it('takes its name from the mlflow.runName tag, else makes one up', () => {
    const experimentId = tracking.createExperiment('exp');
    expect(tracking.createRun({ experimentId, tags: [{ key: 'mlflow.runName', value: 'tagged' }] }).name).toBe('tagged');
    expect(tracking.createRun({ experimentId, tags: [] }).name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
  });

  it('refuses a run in a deleted experiment', () => {
    const experimentId = tracking.createExperiment('exp');
    tracking.setExperimentLifecycle(experimentId, 'deleted');
    expect(refusal(() => tracking.createRun({ experimentId, tags: [] }))).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining("'active' state") });
  });

  it('updates status, end time and name; refuses a status that does not exist, naming status', () => {
    const runId = run('before');
    const events: string[] = [];
    bus.subscribe('tracking.run', (e) => events.push(e.change));
    const updated = tracking.updateRun(runId, { status: 'FINISHED', endTime: 9_000, name: 'after' });
    expect(updated).toMatchObject({ status: 'FINISHED', endTime: 9_000, name: 'after', tags: { 'mlflow.runName': 'after' } });
    expect(events).toEqual(['updated']);
    const typo = refusal(() => tracking.updateRun(runId, { status: 'FINSHED' }));
    expect(typo.code).toBe('INVALID_INPUT');
    expect(typo.message).toMatch(field('status'));
    expect(tracking.getRun(runId).status).toBe('FINISHED');
  });

  it('deletes and restores one; a deleted run takes no writes', () => {
    const runId = run();
    const events: string[] = [];
    bus.subscribe('tracking.run', (e) => events.push(e.change));
    expect(tracking.setRunLifecycle(runId, 'deleted').lifecycleStage).toBe('deleted');
    expect(refusal(() => tracking.logBatch(runId, batch({ params: [{ key: 'lr', value: '0.1' }] })))).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining("'active' state"),
    });
    expect(tracking.setRunLifecycle(runId, 'active').lifecycleStage).toBe('active');
    expect(events).toEqual(['deleted', 'restored']);
    tracking.logBatch(runId, batch({ params: [{ key: 'lr', value: '0.1' }] }));
    expect(tracking.getRun(runId).params).toEqual({ lr: '0.1' });
  });

  it('refuses a missing, non-string or unknown run id, naming it', () => {
    for (const bad of [undefined, '', 42]) {
      const error = refusal(() => tracking.getRun(bad));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toMatch(field('runId', 'run_id'));
    }
    expect(refusal(() => tracking.getRun('f'.repeat(32))).code).toBe('NOT_FOUND');
  });

  it('knows a run tree by its parent tags', () => {
    const experimentId = tracking.createExperiment('sweep');
    const parent = tracking.createRun({ experimentId, tags: [] }).runId;
    const child = tracking.createRun({ experimentId, tags: [{ key: 'mlflow.parentRunId', value: parent }] }).runId;
    const other = tracking.createRun({ experimentId, tags: [] }).runId;
    expect(tracking.getRun(child).parentRunId).toBe(parent);
    expect(tracking.isInRunTree(parent, child)).toBe(true);
    expect(tracking.isInRunTree(parent, parent)).toBe(true);
    expect(tracking.isInRunTree(parent, other)).toBe(false);
    expect(tracking.isInRunTree(child, parent)).toBe(false);
  });
});

describe('params, tags, metrics and inputs', () => {
  it('logs a batch and reads it back: params, tags, latest metrics, history; publishes the latest', async () => {
    const runId = run();
    const published: MetricsLoggedEvent[] = [];
    bus.subscribe('tracking.metrics', (e) => published.push(e));
    tracking.logBatch(runId, {
      params: [{ key: 'lr', value: '0.01' }],
      tags: [{ key: 'note', value: 'baseline' }],
      metrics: [
        { key: 'loss', value: 0.9, timestamp: 10, step: 0 },
        { key: 'loss', value: 0.5, timestamp: 20, step: 1 },
      ],
    });
    await tracking.logBatchGrouped(runId, batch({ metrics: [{ key: 'loss', value: 0.25, timestamp: 30, step: 2 }] }));
    const got = tracking.getRun(runId);
    expect(got.params).toEqual({ lr: '0.01' });
    expect(got.tags).toMatchObject({ note: 'baseline' });
    expect(got.metrics.loss).toEqual({ key: 'loss', value: 0.25, step: 2, timestamp: 30 });
    expect(tracking.metricHistory(runId, 'loss', 10, 0).map((p) => [p.step, p.value])).toEqual([
      [0, 0.9],
      [1, 0.5],
      [2, 0.25],
    ]);
    expect(published.map((e) => e.latest.map((m) => m.value))).toEqual([[0.5], [0.25]]);
    const [series] = tracking.history([runId], ['loss'], 100);
    expect(series).toMatchObject({ runId, key: 'loss' });
  });

  it('the same param value again is accepted; a different one, or a key twice in one batch, is refused whole', () => {
    const runId = run();
    tracking.logBatch(runId, batch({ params: [{ key: 'lr', value: '0.1' }] }));
    tracking.logBatch(runId, batch({ params: [{ key: 'lr', value: '0.1' }] }));
    const changed = refusal(() => tracking.logBatch(runId, batch({ params: [{ key: 'lr', value: '0.2' }], tags: [{ key: 'half', value: 'written' }] })));
    expect(changed).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining("Param with key='lr'") });
    const twice = refusal(() =>
      tracking.logBatch(runId, batch({ params: [{ key: 'bs', value: '1' }, { key: 'bs', value: '2' }] })),
    );
    expect(twice).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining("'bs'") });
    // Neither refused batch wrote anything.
    const after = tracking.getRun(runId);
    expect(after.params).toEqual({ lr: '0.1' });
    expect(after.tags).not.toHaveProperty('half');
  });

  it('refuses a batch over the limits, and a step outside the safe integers, naming step', () => {
    const runId = run();
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: i, step: i }));
    expect(refusal(() => tracking.logBatch(runId, batch({ metrics: tooMany }))).message).toMatch(/at most 1000 metrics/);
    const step = refusal(() => tracking.logBatch(runId, batch({ metrics: [{ key: 'm', value: 1, timestamp: 1, step: 2 ** 60 }] })));
    expect(step.code).toBe('INVALID_INPUT');
    expect(step.message).toMatch(field('step'));
  });

  it('deletes a tag; an absent one is NOT_FOUND', () => {
    const runId = run();
    tracking.logBatch(runId, batch({ tags: [{ key: 'temp', value: '1' }] }));
    tracking.deleteTag(runId, 'temp');
    expect(tracking.getRun(runId).tags).not.toHaveProperty('temp');
    expect(refusal(() => tracking.deleteTag(runId, 'temp'))).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('temp') });
  });

  it('logs dataset inputs and reads them back', () => {
    const runId = run();
    tracking.logInputs(runId, [{ name: 'train', digest: 'abc', sourceType: 'local', source: '/data', schema: null, profile: null, tags: [{ key: 'split', value: 'train' }] }]);
    const inputs = [{ name: 'train', digest: 'abc', sourceType: 'local', source: '/data', schema: null, profile: null, tags: { split: 'train' } }];
    expect(tracking.getRunDetail(runId).inputs).toEqual(inputs);
    expect(tracking.runInputs(runId)).toEqual(inputs);
  });

  it('compares params across runs, all or only those that differ', () => {
    const experimentId = tracking.createExperiment('cmp');
    const a = run('a', experimentId);
    const b = run('b', experimentId);
    tracking.logBatch(a, batch({ params: [{ key: 'lr', value: '0.1' }, { key: 'bs', value: '32' }] }));
    tracking.logBatch(b, batch({ params: [{ key: 'lr', value: '0.2' }, { key: 'bs', value: '32' }] }));
    expect(tracking.compareParams([a, b], true)).toEqual({
      runIds: [a, b],
      rows: [{ key: 'lr', values: ['0.1', '0.2'], differs: true }],
      differingCount: 1,
      totalCount: 2,
    });
    expect(tracking.compareParams([a, b], false).rows.map((r) => r.key)).toEqual(['bs', 'lr']);
  });
});

describe('searching runs', () => {
  function seeded(): { experimentId: string; ids: Record<string, string> } {
    const experimentId = tracking.createExperiment('search');
    const ids: Record<string, string> = {};
    for (const [name, lr, acc] of [
      ['slow', '0.001', 0.7],
      ['mid', '0.01', 0.9],
      ['fast', '0.1', 0.8],
    ] as const) {
      ids[name] = run(name, experimentId);
      tracking.logBatch(ids[name], batch({ params: [{ key: 'lr', value: lr }], metrics: [{ key: 'acc', value: acc, timestamp: 1, step: 0 }] }));
    }
    return { experimentId, ids };
  }

  it('filters and orders by metrics and params, a page at a time, with the total', () => {
    const { experimentId, ids } = seeded();
    const best = tracking.searchRuns(search([experimentId], { filter: 'metrics.acc > 0.75', orderBy: ['metrics.acc DESC'] }), { withTotal: true });
    expect(best.runs.map((r) => r.name)).toEqual(['mid', 'fast']);
    expect(best.total).toBe(2);
    expect(tracking.searchRuns(search([experimentId], { filter: "params.lr = '0.001'" })).runs.map((r) => r.runId)).toEqual([ids.slow]);

    const first = tracking.searchRuns(search([experimentId], { orderBy: ['metrics.acc ASC'], maxResults: 2 }), { withTotal: true });
    expect(first.runs.map((r) => r.name)).toEqual(['slow', 'fast']);
    expect(first.total).toBe(3);
    // Only a caller that asks pays for the count: MLflow's runs/search has no total.
    expect(tracking.searchRuns(search([experimentId], { orderBy: ['metrics.acc ASC'], maxResults: 2 })).total).toBeNull();
    const rest = tracking.searchRuns(search([experimentId], { orderBy: ['metrics.acc ASC'], maxResults: 2, pageToken: first.nextPageToken }));
    expect(rest.runs.map((r) => r.name)).toEqual(['mid']);
    expect(rest.nextPageToken).toBeNull();
  });

  it('sees deleted runs only when asked', () => {
    const { experimentId, ids } = seeded();
    tracking.setRunLifecycle(ids.fast!, 'deleted');
    expect(tracking.searchRuns(search([experimentId]), { withTotal: true }).total).toBe(2);
    expect(tracking.searchRuns(search([experimentId], { lifecycle: 'deleted' })).runs.map((r) => r.name)).toEqual(['fast']);
    expect(tracking.searchRuns(search([experimentId], { lifecycle: 'all' }), { withTotal: true }).total).toBe(3);
  });

  it('fills only the asked-for columns, and lists the columns there are', () => {
    const { experimentId } = seeded();
    const page = tracking.queryRuns({ ...search([experimentId]), columns: { params: [], metrics: ['acc'], tags: [] } });
    expect(page.runs.every((r) => Object.keys(r.params).length === 0 && 'acc' in r.metrics)).toBe(true);
    expect(page.total).toBe(3);
    expect(page.available).toMatchObject({ params: ['lr'], metrics: ['acc'] });
  });

  it('refuses a filter it cannot parse, an unknown experiment, and too many experiments', () => {
    const { experimentId } = seeded();
    expect(refusal(() => tracking.searchRuns(search([experimentId], { filter: 'metrics.acc >>> 1' }))).code).toBe('INVALID_INPUT');
    expect(refusal(() => tracking.searchRuns(search(['424242']))).code).toBe('NOT_FOUND');
    const many = refusal(() => tracking.searchRuns(search(Array.from({ length: 1001 }, (_, i) => String(i)))));
    expect(many.code).toBe('INVALID_INPUT');
    expect(many.message).toMatch(/experiment_ids|experimentIds/);
  });
});
