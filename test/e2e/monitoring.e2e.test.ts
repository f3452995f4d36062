import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../../shared/contract/serving';
import { collectPageErrors, screenshotPath, screenshotWhole, useE2eApp } from '../helpers/e2e-fixture';
import { chromiumPath, dockerAvailable } from '../helpers/requirements';

const browserPath = chromiumPath();
const docker = browserPath ? await dockerAvailable() : false;
const SERVE_IMAGE = 'orrery/serve:local';

/** A python_function model that answers x + y per row. */
const MLMODEL = `artifact_path: model
flavors:
  python_function:
    loader_module: adder
    code: code
signature:
  inputs: '[{"type": "double", "name": "x", "required": true}, {"type": "double", "name": "y", "required": true}]'
  outputs: '[{"type": "double", "required": true}]'
`;
const LOADER = `class Adder:
    def predict(self, model_input, params=None):
        return (model_input["x"] + model_input["y"]).tolist()


def _load_pyfunc(path):
    return Adder()
`;

/** Seeded uniform numbers (mulberry32): the same data every run. */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rows of x in [0, 10) and y in [0, 1), moved by `shift`. */
function rows(seed: number, count: number, shift = { x: 0, y: 0 }): Array<{ x: number; y: number }> {
  const next = uniform(seed);
  return Array.from({ length: count }, () => ({ x: Number((next() * 10 + shift.x).toFixed(4)), y: Number((next() + shift.y).toFixed(4)) }));
}

function csv(data: Array<Record<string, number | string>>): string {
  const columns = Object.keys(data[0]!);
  return `${columns.join(',')}\n${data.map((r) => columns.map((c) => r[c]).join(',')).join('\n')}\n`;
}

function serveImagePresent(): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', SERVE_IMAGE], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Records desktop notifications instead of showing them, with permission granted. */
const NOTIFICATION_STUB = `
  window.__notifications = [];
  window.Notification = class {
    static permission = 'granted';
    static requestPermission() { return Promise.resolve('granted'); }
    constructor(title, options) { window.__notifications.push({ title, body: options && options.body }); }
  };
`;

describe.skipIf(!browserPath || !docker)('Monitoring screens in a real browser against npm run serve and a real serving container', () => {
  const app = useE2eApp(browserPath, { name: 'monitoring' }, 60_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-e2e-monitoring-'));
  const referenceCsv = path.join(work, 'reference.csv');
  const currentCsv = path.join(work, 'current.csv');

  /** Sends the rows through the stable URL, 10 rows per request; each request's id (for labels) with its rows. */
  async function send(url: string, data: Array<{ x: number; y: number }>): Promise<Array<{ requestId: string; rows: Array<{ x: number; y: number }> }>> {
    const sent = [];
    for (let i = 0; i < data.length; i += 10) {
      const batch = data.slice(i, i + 10);
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataframe_records: batch }) });
      expect(res.status).toBe(200);
      await res.text();
      sent.push({ requestId: res.headers.get('x-request-id')!, rows: batch });
    }
    return sent;
  }

  async function openPage(): Promise<{ page: Page; errors: string[] }> {
    const page = await app.browser.newPage({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
    await page.addInitScript(NOTIFICATION_STUB);
    // The reference form is sent a missing file on purpose: its refusal is an HTTP 4xx.
    const errors = collectPageErrors(page, /status of 40\d/);
    await page.goto(app.serve.openUrl);
    await page.waitForFunction("!window.location.hash.includes('token=')");
    return { page, errors };
  }

  beforeAll(async () => {
    if (!serveImagePresent()) throw new Error(`${SERVE_IMAGE} is not built: run npm run images first`);
    const model = path.join(work, 'adder');
    fs.mkdirSync(path.join(model, 'code'), { recursive: true });
    fs.writeFileSync(path.join(model, 'MLmodel'), MLMODEL);
    fs.writeFileSync(path.join(model, 'code', 'adder.py'), LOADER);
    await app.rpc('registry.registerFromFolder', { folder: model, name: 'adder', description: 'adds x and y' });
    // The reference: what the model was trained on, with its answers as the prediction column.
    fs.writeFileSync(referenceCsv, csv(rows(1, 300).map((r) => ({ ...r, prediction: Number((r.x + r.y).toFixed(4)) }))));
    // For "Compare datasets": x moved up by 5, y as before.
    fs.writeFileSync(currentCsv, csv(rows(2, 300, { x: 5, y: 0 })));
  });

  afterAll(async () => {
    await app.rpc('serving.deleteDeployment', { name: 'adder' }).catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('sets a reference, shows a drifting window in the heatmap with its distributions, and the alert is acknowledged in the inbox', { timeout: 300_000 }, async () => {
    const created = await app.rpc<Deployment>('serving.createDeployment', { name: 'adder', model: 'adder', version: 1, logRequests: true, actor: 'e2e' });
    const { page, errors } = await openPage();
    await page.evaluate("window.location.hash = '#/deployments/adder'");
    await expect.poll(() => page.getByTestId('deployment-status').textContent(), { timeout: 120_000 }).toBe('running');

    // No reference yet: the form, which names what is wrong before and after asking the app.
    const form = page.getByTestId('reference-form');
    await form.waitFor({ timeout: 20_000 });
    await page.getByLabel('Rows per window').fill('5');
    await page.getByTestId('reference-submit').click();
    await expect.poll(() => page.getByTestId('reference-path-error').textContent()).toBe('Give the path of a CSV or Parquet file on this machine.');
    expect(await page.getByTestId('reference-windowRequests-error').textContent()).toBe('Rows per window must be 10–10000000.');
    await page.getByLabel('File path').fill(path.join(work, 'missing.csv'));
    await page.getByLabel('Rows per window').fill('50');
    await page.getByTestId('reference-submit').click();
    await expect.poll(() => page.getByTestId('reference-path-error').textContent(), { timeout: 20_000 }).toMatch(/missing\.csv/);
    await page.getByTestId('reference-form').screenshot({ path: screenshotPath('monitoring-reference-form-error') });

    await page.getByLabel('File path').fill(referenceCsv);
    await page.getByTestId('reference-submit').click();
    await expect.poll(() => page.getByTestId('monitor-state').textContent(), { timeout: 60_000 }).toBe('watching');
    expect(await page.getByTestId('monitor-reference').textContent()).toMatch(/^300 rows × 3 columns/);
    expect(await page.getByTestId('monitor-windows').textContent()).toMatch(/^every 50 rows/);
    // The defaults came with the reference: dataset drift, and error rate.
    await expect.poll(() => page.getByTestId('rule-row').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);

    // A window of traffic like the reference, then one shifted well away from it.
    const first = await send(created.url, rows(3, 50));
    await expect.poll(() => page.getByTestId('heatmap-window').count(), { timeout: 60_000 }).toBe(1);
    const second = await send(created.url, rows(4, 50, { x: 5, y: 0.5 }));
    await expect.poll(() => page.getByTestId('heatmap-window').count(), { timeout: 60_000 }).toBe(2);
    const drifting = page.locator('[data-testid="heatmap-cell"][data-column="x"][data-drift="true"]');
    await expect.poll(() => drifting.count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator('[data-testid="heatmap-row"][data-role="prediction"]').count()).toBe(1);

    // The drifting cell: x's reference and current distributions, the test and its verdict.
    await drifting.click();
    await expect.poll(() => page.getByTestId('column-result').getAttribute('data-column'), { timeout: 20_000 }).toBe('x');
    await expect.poll(() => page.getByTestId('column-verdict').textContent(), { timeout: 20_000 }).toMatch(/^Drift: the Kolmogorov–Smirnov p-value .+ is at or under the threshold 0\.05/);
    expect(await page.getByTestId('column-method').textContent()).toBe('Kolmogorov–Smirnov (ks)');
    expect(Number(await page.getByTestId('distribution-chart').getAttribute('data-bins'))).toBeGreaterThan(1);
    expect(await page.getByTestId('window-verdict').textContent()).toBe('dataset drift');
    await expect.poll(() => page.getByTestId('quality-row').count()).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('performance-empty').textContent()).toContain('/feedback');

    // Labels through the deployment's /feedback: the truth is off by 0.1 in the first window, by 1 in the second.
    for (const [sent, off] of [[first, 0.1], [second, 1]] as const) {
      const labels = sent.map((r) => ({ request_id: r.requestId, label: r.rows.map((row) => row.x + row.y + off) }));
      const res = await fetch(created.url.replace(/\/invocations$/, '/feedback'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ labels }) });
      expect(await res.json()).toEqual({ recorded: 5, unknown: [] });
    }
    const mae = page.locator('[data-testid="performance-measure"][data-measure="mae"]');
    await expect.poll(() => mae.textContent(), { timeout: 20_000 }).toBe('MAE 1');
    expect(await page.locator('[data-testid="performance-measure"][data-measure="rmse"]').count()).toBe(1);

    // The firing alert: on the deployment, as a desktop notification, and counted in the navigation.
    await expect.poll(() => page.locator('[data-testid="deployment-alert-table"] [data-testid="alert-row"][data-state="firing"]').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    await expect.poll(() => page.evaluate('window.__notifications.map((n) => n.title)'), { timeout: 20_000 }).toContainEqual(expect.stringMatching(/^adder: .+ firing$/));
    await expect.poll(() => page.getByTestId('alerts-badge').textContent(), { timeout: 20_000 }).toBe('1');
    await screenshotWhole(page, 'monitoring-section-drift');
    await page.getByTestId('monitor-heatmap').screenshot({ path: screenshotPath('monitoring-heatmap') });
    await page.getByTestId('monitor-column').screenshot({ path: screenshotPath('monitoring-column-distribution') });

    // Export: the chosen window as JSON, saved through the browser's download.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('monitor-export-json').click()]);
    expect(download.suggestedFilename()).toMatch(/\.json$/);
    const exported = JSON.parse(fs.readFileSync((await download.path())!, 'utf8')) as unknown;
    expect(JSON.stringify(exported)).toContain('"x"');

    // The inbox: firing first, acknowledged there; the badge goes.
    await page.getByTestId('nav').getByRole('button', { name: /^Alerts/ }).click();
    await page.getByTestId('alerts-page').waitFor();
    const firing = page.locator('[data-testid="inbox-table"] [data-testid="alert-row"]').first();
    await expect.poll(() => firing.getAttribute('data-state'), { timeout: 20_000 }).toBe('firing');
    await screenshotWhole(page, 'alerts-inbox-firing');
    await firing.getByTestId('alert-acknowledge').click();
    await expect.poll(() => firing.getAttribute('data-acknowledged'), { timeout: 20_000 }).toBe('true');
    await expect.poll(() => page.getByTestId('alerts-badge').count(), { timeout: 20_000 }).toBe(0);
    expect(await firing.textContent()).toMatch(/acknowledged by/);

    // Silence it for 4 hours: the inbox says until when.
    await firing.getByTestId('alert-silence').click();
    await page.getByTestId('silence-dialog').waitFor();
    await page.getByTestId('silence-dialog').getByRole('button', { name: '4 h', exact: true }).click();
    await page.getByTestId('silence-submit').click();
    await page.getByTestId('silence-dialog').waitFor({ state: 'detached', timeout: 20_000 });
    await expect.poll(() => firing.textContent(), { timeout: 20_000 }).toMatch(/silenced until \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);

    // The webhook: a URL that is not http(s) is refused in the form; a good one is kept.
    await page.getByLabel('Webhook URL').fill('ftp://example.com/hook');
    await page.getByTestId('webhook-save').click();
    await expect.poll(() => page.getByTestId('webhook-url-error').textContent()).toBe('The webhook must be an http(s) URL, not ftp.');
    await page.getByLabel('Webhook URL').fill('http://127.0.0.1:9/hook');
    await page.getByTestId('webhook-save').click();
    await expect.poll(() => page.getByTestId('webhook-saved').count(), { timeout: 20_000 }).toBe(1);
    expect(await app.rpc<{ webhookUrl: string | null }>('monitoring.getAlertSettings', {})).toMatchObject({ webhookUrl: 'http://127.0.0.1:9/hook' });
    await screenshotWhole(page, 'alerts-inbox-acknowledged');
    expect(errors).toEqual([]);
  });

  it('edits windows, checks now, and adds, edits and deletes an alert rule on the deployment page', { timeout: 120_000 }, async () => {
    const { page, errors } = await openPage();
    await page.evaluate("window.location.hash = '#/deployments/adder'");
    await page.getByTestId('monitor-status').waitFor({ timeout: 30_000 });

    await page.getByTestId('monitor-edit-windows').click();
    await page.getByLabel('Minutes per window').fill('0');
    await page.getByTestId('window-settings-save').click();
    await expect.poll(() => page.getByTestId('window-minutes-error').textContent()).toBe('Minutes per window must be 1–10080.');
    await page.getByLabel('Minutes per window').fill('30');
    await page.getByTestId('window-settings-save').click();
    await expect.poll(() => page.getByTestId('monitor-windows').textContent(), { timeout: 20_000 }).toMatch(/^every 50 rows or every 30 minutes/);

    // Every logged row is in a window already: "Check now" has nothing to close.
    await page.getByTestId('monitor-check-now').click();
    await expect.poll(() => page.getByTestId('monitor-check-result').textContent(), { timeout: 20_000 }).toBe('No row was logged since the last window: nothing to check.');

    const rules = page.getByTestId('rule-row');
    const before = await rules.count();
    await page.getByTestId('rule-add').click();
    const dialog = page.getByTestId('rule-dialog');
    await dialog.waitFor();
    await page.getByTestId('rule-submit').click();
    await expect.poll(() => page.getByTestId('rule-name-error').textContent()).toBe('Name the rule (it titles its alerts).');
    await dialog.getByLabel('Name', { exact: true }).fill('Slow answers');
    await dialog.getByLabel('Metric').selectOption('p95_ms');
    await dialog.getByLabel('Threshold').fill('250');
    await dialog.getByLabel('For (seconds)').fill('60');
    await dialog.screenshot({ path: screenshotPath('monitoring-rule-dialog') });
    await page.getByTestId('rule-submit').click();
    await page.getByTestId('rule-dialog').waitFor({ state: 'detached', timeout: 20_000 });
    const added = rules.filter({ hasText: 'Slow answers' });
    await expect.poll(() => added.getByTestId('rule-condition').textContent(), { timeout: 20_000 }).toBe('p95_ms >= 250 for 1 min');

    await added.getByTestId('rule-edit').click();
    await dialog.getByLabel('Threshold').fill('500');
    await page.getByTestId('rule-submit').click();
    await expect.poll(() => added.getByTestId('rule-condition').textContent(), { timeout: 20_000 }).toBe('p95_ms >= 500 for 1 min');
    await page.getByTestId('alert-rules').screenshot({ path: screenshotPath('monitoring-alert-rules') });

    await added.getByTestId('rule-delete').click();
    await expect.poll(() => page.getByTestId('rule-delete-dialog').textContent()).toContain('p95_ms >= 500 for 1 min');
    await page.getByTestId('rule-delete-submit').click();
    await expect.poll(() => rules.count(), { timeout: 20_000 }).toBe(before);
    expect(errors).toEqual([]);
  });

  it('compares two files on the Compare datasets page and shows the drifting column', { timeout: 120_000 }, async () => {
    const { page, errors } = await openPage();
    await page.getByTestId('nav').getByRole('button', { name: 'Compare datasets' }).click();
    await page.getByTestId('compare-datasets-page').waitFor();
    await page.getByTestId('compare-submit').click();
    await expect.poll(() => page.getByTestId('compare-reference-error').textContent()).toBe('Give the path of the reference CSV or Parquet file.');

    await page.getByLabel('Reference file').fill(referenceCsv);
    await page.getByLabel('Current file').fill(currentCsv);
    await page.getByTestId('compare-submit').click();
    await expect.poll(() => page.locator('[data-testid="drift-row"][data-column="x"]').getAttribute('data-drift'), { timeout: 60_000 }).toBe('true');
    expect(await page.locator('[data-testid="drift-row"][data-column="y"]').getAttribute('data-drift')).toBe('false');
    expect(await page.getByTestId('compare-dataset-drift').textContent()).toBe('dataset drift');
    // The first drifting column's distributions are shown; the reference's extra column is a quality finding.
    expect(await page.getByTestId('column-result').getAttribute('data-column')).toBe('x');
    await expect.poll(() => page.getByTestId('quality-missing-columns').textContent()).toContain('prediction');
    await screenshotWhole(page, 'compare-datasets');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('compare-export-html').click()]);
    expect(download.suggestedFilename()).toMatch(/\.html$/);
    expect(fs.readFileSync((await download.path())!, 'utf8')).toMatch(/<html/i);
    expect(errors).toEqual([]);
  });
});
