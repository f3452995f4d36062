import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView, ColumnDistributionView, MonitorView, MonitorWindowDetail, MonitorWindowView } from '../../../shared/contract/monitoring';
import type { Deployment } from '../../../shared/contract/serving';
import { score, startServingServer, until } from '../../helpers/serving-server';
import { closeWorld, openWorld, register, servingReady, SMALL, type ServingWorld } from '../serving/serving-fixture';

/**
 * A deployment of a real model in a real container, watched by monitoring: a reference gathered
 * from its first logged requests, windows of its request log checked in the monitoring worker,
 * shifted traffic raising the default dataset-drift alert (acknowledged), unshifted traffic
 * raising none, labels posted to the deployment's /feedback giving the accuracy of a window, and a
 * file reference replacing the first.
 */
const COLUMNS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
const MEANS = [5.8, 3.0, 3.8, 1.2];
const SDS = [0.8, 0.4, 1.7, 0.7];

function generator(seed: number) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  /** Iris-like rows; `shift` moves every column but sepal_width by that many of its standard deviations. */
  return (n: number, shift = 0) => Array.from({ length: n }, () => MEANS.map((m, j) => Number((m + SDS[j]! * (normal() + (j === 1 ? 0 : shift))).toFixed(3))));
}

describe.skipIf(!servingReady)('monitoring a served model (real containers, the monitoring worker)', () => {
  const world = {} as ServingWorld;
  let deployment: Deployment;
  const rows = generator(42);

  const call = <T>(method: string, input: unknown) => world.server.call<T>(method, input);
  /** Sends `count` requests of 50 rows; returns each answer's request id and predictions. */
  async function send(count: number, shift = 0, headers: Record<string, string> = {}) {
    const answers: Array<{ requestId: string; predictions: number[] }> = [];
    for (let i = 0; i < count; i++) {
      const result = await score(deployment.url, JSON.stringify({ dataframe_split: { columns: COLUMNS, data: rows(50, shift) } }), headers);
      expect(result.status, result.body).toBe(200);
      answers.push({ requestId: result.requestId!, predictions: (JSON.parse(result.body) as { predictions: number[] }).predictions });
    }
    return answers;
  }
  const windows = () => call<MonitorWindowView[]>('monitoring.listWindows', { deployment: 'iris-watch' });
  const windowCount = (n: number) => until(`${n} checked windows`, async () => ((await windows()).length >= n ? windows() : undefined), 30_000, 200);

  beforeAll(async () => {
    Object.assign(world, await openWorld('orrery-monitoring-'));
    await register(world.server, 'iris', [world.models.irisV1]);
    deployment = await call<Deployment>('serving.createDeployment', { name: 'iris-watch', model: 'iris', version: 1, ...SMALL, actor: 'tester' });
  }, 180_000);

  afterAll(async () => {
    await closeWorld(world);
  }, 60_000);

  it('gathers a reference from the first 300 logged rows, then watches', async () => {
    const monitor = await call<MonitorView>('monitoring.setReference', { deployment: 'iris-watch', source: { kind: 'requests', count: 300 }, windowRequests: 300, actor: 'tester' });
    expect(monitor.state).toBe('collecting');
    expect(monitor.collected).toBe(0);
    await send(6);
    const watching = await until('the reference to be built', async () => {
      const m = await call<MonitorView>('monitoring.getMonitor', { deployment: 'iris-watch' });
      return m.state === 'watching' ? m : undefined;
    });
    expect(watching.reference!.rows).toBe(300);
    expect(watching.reference!.columns.map((c) => c.name)).toEqual([...COLUMNS, 'prediction']);
    expect(watching.reference!.form).toBe('exact');
    // Default rules came with the reference.
    const rules = await call<Array<{ metric: string; isDefault: boolean }>>('monitoring.listAlertRules', { deployment: 'iris-watch' });
    expect(rules.map((r) => r.metric).sort()).toEqual(['dataset_drift', 'error_rate']);
  });

  it('unshifted traffic gives a window without drift and raises no alert', async () => {
    await send(6);
    const [first] = await windowCount(1);
    expect(first!.status).toBe('checked');
    expect(first!.rows).toBe(300);
    expect(first!.unseenRows).toBe(0);
    expect(first!.datasetDrift).toBe(false);
    expect(first!.cells.map((c) => c.column)).toEqual([...COLUMNS, 'prediction']);
    expect(await call<AlertView[]>('monitoring.listAlerts', { deployment: 'iris-watch', state: 'firing' })).toEqual([]);
  });

  let shifted: Array<{ requestId: string; predictions: number[] }> = [];

  it('shifted traffic drifts within one window and fires the dataset-drift alert, which is acknowledged', async () => {
    shifted = await send(6, 2);
    const all = await windowCount(2);
    const second = all[1]!;
    expect(second.datasetDrift).toBe(true);
    const detail = await call<MonitorWindowDetail>('monitoring.getWindow', { deployment: 'iris-watch', windowId: second.id });
    const petal = detail.report!.columns.find((c) => c.column === 'petal_length')!;
    expect(petal.method).toBe('ks'); // a 300-row reference: the small-reference test
    expect(petal.drift).toBe(true);
    expect(petal.pValue).toBeLessThan(1e-10);
    expect(detail.report!.columns.find((c) => c.column === 'sepal_width')!.drift).toBe(false);
    const bars = await call<ColumnDistributionView>('monitoring.getDistribution', { deployment: 'iris-watch', windowId: second.id, column: 'petal_length' });
    expect(bars.labels.length).toBe(bars.reference.length);
    expect(bars.result!.drift).toBe(true);

    const firing = await until('the drift alert to fire', async () => {
      const alerts = await call<AlertView[]>('monitoring.listAlerts', { deployment: 'iris-watch', state: 'firing' });
      return alerts.length ? alerts : undefined;
    });
    expect(firing.map((a) => a.metric)).toEqual(['dataset_drift']);
    // The message says which window and which columns, not only the number.
    expect(firing[0]!.message).toMatch(/^dataset_drift 1 >= 1 on iris-watch: window 2, [345] of 5 columns drifted \(sepal_length, petal_length, petal_width/);
    expect(firing[0]!.notifiedAt).not.toBeNull();
    const acked = await call<AlertView>('monitoring.acknowledgeAlert', { id: firing[0]!.id, actor: 'ana' });
    expect(acked.acknowledgedBy).toBe('ana');
    expect(acked.acknowledgedAt).not.toBeNull();
  });

  it('labels posted to the deployment URL give the window its accuracy; unknown ids are refused by name', async () => {
    // Half the requests labelled with the model's own answers, half with a wrong class.
    const labels = shifted.map((a, i) => ({ request_id: a.requestId, label: i % 2 === 0 ? a.predictions : a.predictions.map((p) => (p + 1) % 3) }));
    const posted = await fetch(new URL('/feedback', deployment.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ labels }) });
    expect(posted.status, await posted.clone().text()).toBe(200);
    expect(await posted.json()).toEqual({ recorded: 6, unknown: [] });
    const second = (await windows())[1]!;
    expect(second.performance).toMatchObject({ task: 'classification', labelled: 300, accuracy: 0.5 });

    const unknown = await fetch(new URL('/feedback', deployment.url), { method: 'POST', body: JSON.stringify({ labels: [{ request_id: 'no-such-request', label: 1 }] }) });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toMatch(/no logged request of 'iris-watch' has the id no-such-request/);
    const bad = await fetch(new URL('/feedback', deployment.url), { method: 'POST', body: '{"labels": [{"label": 1}]}' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/labels\[0\]\.request_id/);
  });

  it("a caller's own X-Request-Id joins its label", async () => {
    await send(1, 0, { 'x-request-id': 'caller-chosen-id-1' });
    const result = await call<{ recorded: number; unknown: string[] }>('monitoring.recordFeedback', { deployment: 'iris-watch', labels: [{ requestId: 'caller-chosen-id-1', label: Array(50).fill(0) }, { requestId: 'nope', label: 1 }] });
    expect(result).toEqual({ recorded: 1, unknown: ['nope'] });
  });

  it('exports the latest window as self-contained HTML and JSON', async () => {
    const exported = await call<{ fileName: string; html: string; json: string }>('monitoring.exportReport', { deployment: 'iris-watch' });
    expect(exported.html).toMatch(/Dataset drift detected/);
    expect(exported.html).not.toMatch(/<script|<link|src="http/);
    expect(JSON.parse(exported.json).report.columns).toHaveLength(5);
  });

  it('a file reference replaces the first, with its own windows; a bad file is refused and the old reference kept', async () => {
    const before = await call<MonitorView>('monitoring.getMonitor', { deployment: 'iris-watch' });
    const png = path.join(world.root, 'not-a-table.csv');
    fs.writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    const refused = await world.server.refusal('monitoring.setReference', { deployment: 'iris-watch', source: { kind: 'file', path: png }, actor: 'tester' });
    expect(refused.message).toMatch(/not-a-table\.csv/);
    expect((await call<MonitorView>('monitoring.getMonitor', { deployment: 'iris-watch' })).reference).toEqual(before.reference);

    const file = path.join(world.root, 'train.csv');
    fs.writeFileSync(file, [COLUMNS.join(','), ...rows(2000).map((r) => r.join(','))].join('\n') + '\n');
    const monitor = await call<MonitorView>('monitoring.setReference', { deployment: 'iris-watch', source: { kind: 'file', path: file }, windowRequests: 600, actor: 'tester' });
    expect(monitor.state).toBe('watching');
    expect(monitor.reference!.rows).toBe(2000);
    expect(await windows()).toEqual([]);
    await send(12);
    const [first] = await windowCount(1);
    const detail = await call<MonitorWindowDetail>('monitoring.getWindow', { deployment: 'iris-watch', windowId: first!.id });
    // More than 1,000 reference rows: normed Wasserstein; the prediction column is not in a training file.
    expect(detail.report!.columns.map((c) => [c.column, c.method])).toEqual([...COLUMNS.map((c) => [c, 'wasserstein']), ['prediction', null]]);
    // The training file has no model answers: the window says prediction drift is not tested, and why.
    expect(detail.report!.columns[4]!.note).toMatch(/not tested: the reference has no 'prediction' column/);
    expect(detail.report!.quality.extraColumns).toEqual([]);
    expect(first!.datasetDrift).toBe(false);
  });

  it('a window says how many rows it could not see, and counts text sent to a numeric column', async () => {
    const before = (await windows()).length;
    // 1,200 rows in one request: the request log keeps the first 1,000 of them.
    const big = await score(deployment.url, JSON.stringify({ dataframe_split: { columns: COLUMNS, data: rows(1200) } }));
    expect(big.status).toBe(200);
    // The model refuses text where its signature says double; the request log still holds what was sent.
    const text = await score(deployment.url, JSON.stringify({ dataframe_split: { columns: COLUMNS, data: [['tall', 3, 4, 1]] } }));
    expect(text.status).toBe(400);
    const checked = await call<MonitorWindowView | null>('monitoring.checkMonitor', { deployment: 'iris-watch' });
    expect(checked).not.toBeNull();
    expect((await windows()).length).toBe(before + 1);
    expect(checked!.rows).toBe(1001);
    expect(checked!.unseenRows).toBe(200);
    const detail = await call<MonitorWindowDetail>('monitoring.getWindow', { deployment: 'iris-watch', windowId: checked!.id });
    const sepal = detail.report!.quality.columns.find((c) => c.column === 'sepal_length')!;
    expect(sepal.typeMismatches).toBe(1);
    expect(sepal.breaches).toContain('type-mismatch');
    expect(await call('monitoring.checkMonitor', { deployment: 'iris-watch' })).toBeNull();
  });

  it('refuses settings that could never give a verdict, and labels shaped unlike their request', async () => {
    const small = await world.server.refusal('monitoring.updateMonitor', { deployment: 'iris-watch', windowRequests: 20, actor: 'tester' });
    expect(small.message).toMatch(/windowRequests: a window of 20 rows could never give a verdict.*minRows \(30\)/);
    const [answer] = await send(1);
    const wrong = await world.server.refusal('monitoring.recordFeedback', { deployment: 'iris-watch', labels: [{ requestId: answer!.requestId, label: [1, 2] }] });
    expect(wrong.message).toMatch(/labels\[0\]\.label: request .* had 50 rows, so its label must be a list of 50 labels .*got a list of 2/);
    // The same id twice: one label per request, the last one given.
    const twice = await call<{ recorded: number }>('monitoring.recordFeedback', { deployment: 'iris-watch', labels: [{ requestId: answer!.requestId, label: Array(50).fill(0) }, { requestId: answer!.requestId, label: answer!.predictions }] });
    expect(twice.recorded).toBe(1);
  });

  it('two checks at once never count the same rows twice', async () => {
    await send(2);
    const [a, b] = await Promise.all([call<MonitorWindowView | null>('monitoring.checkMonitor', { deployment: 'iris-watch' }), call<MonitorWindowView | null>('monitoring.checkMonitor', { deployment: 'iris-watch' })]);
    const closed = [a, b].filter((w): w is MonitorWindowView => w !== null);
    expect(closed).toHaveLength(1);
    const all = await windows();
    for (let i = 1; i < all.length; i++) expect(all[i]!.seq).toBe(all[i - 1]!.seq + 1);
  });

  it('after a restart the reference, windows and alerts are all there, and the next window follows the last', async () => {
    const before = await windows();
    const alerts = await call<AlertView[]>('monitoring.listAlerts', { deployment: 'iris-watch' });
    await world.server.stop();
    world.server = await startServingServer(world.dataDir);
    deployment = await until('the deployment to serve again', async () => {
      const d = await call<Deployment>('serving.getDeployment', { name: 'iris-watch' });
      return d.status === 'running' ? d : undefined;
    }, 60_000, 250);
    expect(await windows()).toEqual(before);
    expect(await call<AlertView[]>('monitoring.listAlerts', { deployment: 'iris-watch' })).toEqual(alerts);
    await send(12);
    const after = await windowCount(before.length + 1);
    expect(after[after.length - 1]!.seq).toBe(before[before.length - 1]!.seq + 1);
    expect(after[after.length - 1]!.rows).toBe(600);
  }, 120_000);

  it('deleting the deployment removes its monitor, windows, rules and alerts', async () => {
    await call('serving.deleteDeployment', { name: 'iris-watch', actor: 'tester' });
    await until('the monitor to go with its deployment', async () => ((await call<MonitorView[]>('monitoring.listMonitors', {})).length === 0 ? true : undefined));
    expect(await call<AlertView[]>('monitoring.listAlerts', { deployment: 'iris-watch' })).toEqual([]);
    const refused = await world.server.refusal('monitoring.getMonitor', { deployment: 'iris-watch' });
    expect(refused).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining("no deployment named 'iris-watch'") });
  });
});
