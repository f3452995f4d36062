import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, mlflowPost, openAppPage, screenshotWhole } from '../helpers/browser';
import { chromiumPath } from '../helpers/requirements';
import { freePort, startServe, type ServeProcess } from '../helpers/serve-process';

const browserPath = chromiumPath();
const TOKEN = 'run-compare-token';
const STEPS = 2000;

describe.skipIf(!browserPath)('Run page and comparison in a real browser against npm run serve', () => {
  let serve: ServeProcess;
  let browser: Browser;
  let dataDir: string;
  let origin: string;
  let experimentId: string;
  const runIds: string[] = [];

  const mlflow = <T>(endpoint: string, body: unknown): Promise<T> => mlflowPost<T>(origin, TOKEN, endpoint, body);

  async function putArtifact(runId: string, file: string, body: string): Promise<void> {
    const res = await fetch(`${origin}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${file}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}` },
      body,
    });
    if (!res.ok) throw new Error(`PUT ${file}: ${res.status} ${await res.text()}`);
  }

  async function createRun(name: string, lr: number): Promise<string> {
    const start = Date.now() - 120_000;
    const { run } = await mlflow<{ run: { info: { run_id: string } } }>('runs/create', { experiment_id: experimentId, run_name: name, start_time: start });
    const runId = run.info.run_id;
    await mlflow('runs/log-batch', {
      run_id: runId,
      params: [
        { key: 'lr', value: String(lr) },
        { key: 'batch', value: '64' },
      ],
    });
    const points: Array<{ key: string; value: number; timestamp: number; step: number }> = [];
    for (let step = 0; step < STEPS; step++) {
      const timestamp = start + step * 50;
      // One spike in the loss at step 1234: the min–max band must still show it.
      const loss = step === 1234 ? 25 : 2 * Math.exp(-step * lr * 0.05) + 0.05 * Math.sin(step / 7);
      points.push({ key: 'loss', value: loss, timestamp, step });
      points.push({ key: 'accuracy', value: 1 - Math.exp(-step * lr * 0.04), timestamp, step });
      if (step % 20 === 0) points.push({ key: 'system/cpu_percent', value: 40 + 10 * Math.sin(step / 50), timestamp, step });
    }
    for (let i = 0; i < points.length; i += 1000) await mlflow('runs/log-batch', { run_id: runId, metrics: points.slice(i, i + 1000) });
    await putArtifact(runId, 'notes/readme.txt', `Notes for ${name}: learning rate ${lr}.\n`);
    await putArtifact(runId, 'metrics.json', JSON.stringify({ best: { loss: 0.05, step: 1999 }, run: name }));
    await mlflow('runs/update', { run_id: runId, status: 'FINISHED', end_time: start + STEPS * 50 });
    return runId;
  }

  const openPage = (hash: string) => openAppPage(browser, serve.openUrl, hash);

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-e2e-run-'));
    serve = await startServe(['--port', String(await freePort()), '--data-dir', dataDir], { ORRERY_TOKEN: TOKEN });
    origin = new URL(serve.openUrl).origin;
    experimentId = (await mlflow<{ experiment_id: string }>('experiments/create', { name: 'compare-e2e' })).experiment_id;
    for (const [i, lr] of [0.1, 0.03, 0.01].entries()) runIds.push(await createRun(`run-${i + 1}`, lr));
    browser = await launchChromium(browserPath!);
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows a run: params, metric charts, a system section and its artifacts', { timeout: 60_000 }, async () => {
    const { page, errors } = await openPage(`#/runs/${runIds[0]}`);
    await expect.poll(() => page.getByTestId('run-name').textContent(), { timeout: 20_000 }).toBe('run-1');
    expect(await page.getByTestId('run-status').textContent()).toMatch(/finished/i);
    const params = page.getByTestId('params');
    expect(await params.textContent()).toContain('lr');
    expect(await params.textContent()).toContain('0.1');
    expect(await params.textContent()).toContain('batch');
    await expect.poll(() => page.locator('[data-testid="metric-chart"][data-key="loss"] canvas').count()).toBe(1);
    expect(await page.locator('[data-testid="metric-chart"][data-key="accuracy"] canvas').count()).toBe(1);
    expect(await page.getByRole('region', { name: 'System' }).locator('[data-key="system/cpu_percent"]').count()).toBe(1);
    expect(await page.getByRole('region', { name: 'Metrics' }).locator('[data-key^="system/"]').count()).toBe(0);
    // No job: no logs panel.
    expect(await page.getByTestId('logs-panel').count()).toBe(0);

    // Artifacts: a folder to open, a text file and a JSON file to preview.
    const list = page.getByTestId('artifact-list');
    await expect.poll(() => list.textContent()).toContain('notes/');
    await list.getByRole('button', { name: /notes/ }).click();
    await list.getByRole('button', { name: /readme\.txt/ }).click();
    await expect.poll(() => page.getByTestId('artifact-preview').textContent()).toContain('Notes for run-1: learning rate 0.1.');
    await page.getByRole('button', { name: 'artifacts', exact: true }).click();
    await list.getByRole('button', { name: /metrics\.json/ }).click();
    // Pretty-printed JSON.
    await expect.poll(() => page.locator('.artifact-text').textContent()).toContain('"best": {\n');

    // The download fetches the file with the token and saves it.
    const downloaded = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download' }).click();
    const download = await downloaded;
    expect(download.suggestedFilename()).toBe('metrics.json');
    expect(fs.readFileSync(await download.path(), 'utf8')).toContain('"run":"run-1"');

    // The loss chart's legend shows the latest value, and hovering moves it.
    const lossChart = page.locator('[data-testid="metric-chart"][data-key="loss"]');
    const box = (await lossChart.locator('canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await expect.poll(() => lossChart.locator('.metric-legend-x').textContent()).toMatch(/^at \d/);
    await page.mouse.move(0, 0);

    await screenshotWhole(page, 'run-page');
    expect(errors).toEqual([]);
  });

  it('compares runs: charts for every metric, differing params, show all, parallel coordinates', { timeout: 60_000 }, async () => {
    const { page, errors } = await openPage(`#/compare?runs=${runIds.join(',')}`);
    await expect.poll(() => page.getByTestId('compare-page').getAttribute('data-painted'), { timeout: 20_000 }).toBe('true');
    expect(await page.evaluate('typeof window.__orreryChartsPainted')).toBe('number');
    expect(await page.locator('[data-testid="metric-chart"] canvas').count()).toBe(3);
    // Each chart's legend lists the three runs.
    expect(await page.locator('[data-testid="metric-chart"][data-key="loss"] .metric-legend-row').count()).toBe(3);

    const diff = page.getByTestId('params-diff');
    const headers = () => diff.locator('thead th').allTextContents();
    expect(await headers()).toEqual(['Run', 'lr']);
    expect(await diff.textContent()).toContain('0.03');
    await page.getByTestId('params-show-all').check();
    await expect.poll(headers).toEqual(['Run', 'batch', 'lr']);
    expect(await diff.textContent()).toContain('64');

    expect(await page.getByTestId('parallel-coordinates').locator('canvas').count()).toBe(1);
    expect(await page.getByTestId('param-scatter').locator('canvas').count()).toBe(1);

    // Controls: smoothing, relative time, log scale redraw without errors.
    await page.getByTestId('smoothing').fill('0.9');
    await page.getByTestId('x-axis').selectOption('relative');
    await page.getByTestId('log-y').check();
    await page.getByTestId('log-y').uncheck();
    await page.getByTestId('x-axis').selectOption('step');

    await screenshotWhole(page, 'compare');
    expect(errors).toEqual([]);
  });
});
