import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Plotted } from '../../renderer/src/charts/plotted-readout';
import { screenshotWhole, useE2eApp } from '../helpers/e2e-fixture';
import { chromiumPath } from '../helpers/requirements';

const browserPath = chromiumPath();
const TOKEN = 'run-compare-token';
const STEPS = 2000;
const SPIKE = 25;
/**
 * Steps per bucket at most for this series: 2000 points read as (up to) 1000 buckets come from the
 * 32-step rollups, and a line point sits at its bucket's last step, so the first is at step <= 31.
 */
const FIRST_BUCKET_STEPS = 32;

/** The metric chart `key`'s last drawing, or null before it has drawn once. */
async function plotted(page: Page, key: string): Promise<Plotted | null> {
  const raw = await page.locator(`[data-testid="metric-chart"][data-key="${key}"]`).first().getAttribute('data-plotted');
  return raw === null ? null : (JSON.parse(raw) as Plotted);
}

describe.skipIf(!browserPath)('Run page and comparison in a real browser against npm run serve', () => {
  const app = useE2eApp(browserPath, { name: 'run', token: TOKEN });
  const { mlflow } = app;
  let experimentId: string;
  const runIds: string[] = [];
  /** Each run's start_time (ms), which is also the timestamp of its step 0. */
  const starts = new Map<string, number>();

  const putArtifact = (runId: string, file: string, body: string) => app.putArtifact(experimentId, runId, file, body);

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
      const loss = step === 1234 ? SPIKE : 2 * Math.exp(-step * lr * 0.05) + 0.05 * Math.sin(step / 7);
      points.push({ key: 'loss', value: loss, timestamp, step });
      points.push({ key: 'accuracy', value: 1 - Math.exp(-step * lr * 0.04), timestamp, step });
      if (step % 20 === 0) points.push({ key: 'system/cpu_percent', value: 40 + 10 * Math.sin(step / 50), timestamp, step });
    }
    for (let i = 0; i < points.length; i += 1000) await mlflow('runs/log-batch', { run_id: runId, metrics: points.slice(i, i + 1000) });
    await putArtifact(runId, 'notes/readme.txt', `Notes for ${name}: learning rate ${lr}.\n`);
    await putArtifact(runId, 'metrics.json', JSON.stringify({ best: { loss: 0.05, step: 1999 }, run: name }));
    await mlflow('runs/update', { run_id: runId, status: 'FINISHED', end_time: start + STEPS * 50 });
    starts.set(runId, start);
    return runId;
  }

  const openPage = (hash: string) => app.openPage(hash);

  beforeAll(async () => {
    experimentId = (await mlflow<{ experiment_id: string }>('experiments/create', { name: 'compare-e2e' })).experiment_id;
    for (const [i, lr] of [0.1, 0.03, 0.01].entries()) runIds.push(await createRun(`run-${i + 1}`, lr));
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
    // The charts drew the series: the loss line spans every step and its band holds the spike.
    await expect.poll(async () => (await plotted(page, 'loss'))?.lines[0]?.points ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    const loss = (await plotted(page, 'loss'))!;
    expect(loss.lines.map((l) => l.label)).toEqual(['run-1']);
    expect(loss.lines[0]!.x![0]).toBeLessThan(FIRST_BUCKET_STEPS);
    expect(loss.lines[0]!.x![1]).toBe(STEPS - 1);
    expect(loss.xRange[0]).toBeLessThanOrEqual(0);
    expect(loss.xRange[1]).toBeGreaterThanOrEqual(STEPS - 1);
    expect(loss.lines[0]!.band!.hi).toBe(SPIKE);
    expect(loss.yRange[1]).toBeGreaterThanOrEqual(SPIKE);
    await expect.poll(async () => (await plotted(page, 'accuracy'))?.lines[0]?.points ?? 0).toBeGreaterThan(0);
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

    // Every chart drew a line per run; the loss lines span steps 0..1999 (each point is a
    // bucket's last step, so the first sits up to a bucket in) and every band holds the spike.
    for (const key of ['loss', 'accuracy', 'system/cpu_percent']) {
      const chart = (await plotted(page, key))!;
      expect(chart.lines.map((l) => l.label), key).toEqual(['run-1', 'run-2', 'run-3']);
      for (const line of chart.lines) expect(line.points, `${key} ${line.label}`).toBeGreaterThan(0);
    }
    const raw = (await plotted(page, 'loss'))!;
    expect(raw.yScale).toBe('linear');
    expect(raw.xAxis).toBe('step');
    expect(raw.yRange[1]).toBeGreaterThanOrEqual(SPIKE);
    expect(raw.xRange[0]).toBeLessThanOrEqual(0);
    expect(raw.xRange[1]).toBeGreaterThanOrEqual(STEPS - 1);
    for (const line of raw.lines) {
      expect(line.x![0], line.label).toBeLessThan(FIRST_BUCKET_STEPS);
      expect(line.x![1], line.label).toBe(STEPS - 1);
      // The line is each bucket's last value, so only the band shows the spike.
      expect(line.band!.hi, line.label).toBe(SPIKE);
      expect(line.y![1], line.label).toBeLessThan(SPIKE);
      expect(line.nonFinite, line.label).toEqual({ nan: 0, inf: 0, negInf: 0 });
    }
    const lossLines = async () => (await plotted(page, 'loss'))!.lines;

    // Smoothing moves the line inside its raw range (an EMA averages), lifting the troughs; the band stays raw.
    await page.getByTestId('smoothing').fill('0.9');
    await expect.poll(async () => (await lossLines()).map((l) => l.y)).not.toEqual(raw.lines.map((l) => l.y));
    for (const [i, line] of (await lossLines()).entries()) {
      const before = raw.lines[i]!;
      expect(line.points, line.label).toBe(before.points);
      expect(line.y![0] - before.y![0], line.label).toBeGreaterThan(0.01);
      expect(line.y![1], line.label).toBeLessThanOrEqual(before.y![1] + 1e-9);
      expect(line.band, line.label).toEqual(before.band);
    }
    await page.getByTestId('smoothing').fill('0');
    await expect.poll(lossLines).toEqual(raw.lines);

    // Log scale: chart.js builds a logarithmic y axis, and a linear one again after.
    await page.getByTestId('log-y').check();
    await expect.poll(async () => (await plotted(page, 'loss'))!.yScale).toBe('logarithmic');
    const logged = (await plotted(page, 'loss'))!;
    expect(logged.yRange[1]).toBeGreaterThanOrEqual(SPIKE);
    for (const line of logged.lines) {
      expect(line.points, line.label).toBeGreaterThan(0);
      expect(line.y![0], line.label).toBeGreaterThan(0);
    }
    await page.getByTestId('log-y').uncheck();
    await expect.poll(async () => (await plotted(page, 'loss'))!.yScale).toBe('linear');

    // X axis: seconds since each run's start (a point every 50 ms), then epoch milliseconds, then steps.
    await page.getByTestId('x-axis').selectOption('relative');
    await expect.poll(async () => (await plotted(page, 'loss'))!.xAxis).toBe('relative');
    for (const line of await lossLines()) {
      expect(line.x![0], line.label).toBeGreaterThanOrEqual(0);
      expect(line.x![0], line.label).toBeLessThan((FIRST_BUCKET_STEPS * 50) / 1000);
      expect(line.x![1], line.label).toBeCloseTo(((STEPS - 1) * 50) / 1000, 6);
    }
    // The axis itself moved to seconds: it spans the lines, not the 0..1999 of steps.
    const relative = (await plotted(page, 'loss'))!;
    expect(relative.xRange[0]).toBeLessThanOrEqual(1);
    expect(relative.xRange[1]).toBeGreaterThanOrEqual(((STEPS - 1) * 50) / 1000);
    expect(relative.xRange[1]).toBeLessThan(STEPS / 10);
    await page.getByTestId('x-axis').selectOption('wall');
    await expect.poll(async () => (await plotted(page, 'loss'))!.xAxis).toBe('wall');
    for (const [i, line] of (await lossLines()).entries()) {
      const start = starts.get(runIds[i]!)!;
      expect(line.x![0], line.label).toBeGreaterThanOrEqual(start);
      expect(line.x![1], line.label).toBe(start + (STEPS - 1) * 50);
    }
    const wall = (await plotted(page, 'loss'))!;
    const firstStart = Math.min(...runIds.map((id) => starts.get(id)!));
    expect(wall.xRange[0]).toBeLessThanOrEqual(firstStart + FIRST_BUCKET_STEPS * 50);
    expect(wall.xRange[1]).toBeGreaterThanOrEqual(Math.max(...runIds.map((id) => starts.get(id)! + (STEPS - 1) * 50)));
    await page.getByTestId('x-axis').selectOption('step');
    await expect.poll(async () => (await plotted(page, 'loss'))!.xAxis).toBe('step');
    expect(await lossLines()).toEqual(raw.lines);

    await screenshotWhole(page, 'compare');
    expect(errors).toEqual([]);
  });

  it('marks NaN and ±Infinity values the line cannot show, including a run that ends in NaN', { timeout: 60_000 }, async () => {
    const start = Date.now() - 60_000;
    const { run } = await mlflow<{ run: { info: { run_id: string } } }>('runs/create', { experiment_id: experimentId, run_name: 'run-nan', start_time: start });
    const nanRun = run.info.run_id;
    // 40 points, fewer than the chart's buckets, so each is its own bucket: NaN at 10, 11 and from
    // 36 on (the run diverged), +Infinity at 20, -Infinity at 25, as MLflow clients send them.
    const value = (step: number): number | string => {
      if (step === 10 || step === 11 || step >= 36) return 'NaN';
      if (step === 20) return 'Infinity';
      if (step === 25) return '-Infinity';
      return 1 / (step + 1);
    };
    const metrics = Array.from({ length: 40 }, (_, step) => ({ key: 'loss', value: value(step), timestamp: start + step * 1000, step }));
    await mlflow('runs/log-batch', { run_id: nanRun, metrics });
    await mlflow('runs/update', { run_id: nanRun, status: 'FAILED', end_time: start + 40_000 });

    const { page, errors } = await openPage(`#/compare?runs=${runIds[0]},${nanRun}`);
    await expect.poll(() => page.getByTestId('compare-page').getAttribute('data-painted'), { timeout: 20_000 }).toBe('true');
    await expect.poll(async () => (await plotted(page, 'loss'))?.lines.length ?? 0).toBe(2);
    const chart = (await plotted(page, 'loss'))!;
    const [finite, marked] = chart.lines;
    expect(finite!.label).toBe('run-1');
    expect(finite!.nonFinite).toEqual({ nan: 0, inf: 0, negInf: 0 });
    expect(marked!.label).toBe('run-nan');
    expect(marked!.points).toBe(40 - 8);
    expect(marked!.x).toEqual([0, 35]);
    expect(marked!.nonFinite).toEqual({ nan: 6, inf: 1, negInf: 1 });
    // The legend says what was left out, next to the run.
    const legend = page.locator('[data-testid="metric-chart"][data-key="loss"] .metric-legend-row', { hasText: 'run-nan' });
    expect(await legend.locator('.metric-legend-nonfinite').textContent()).toBe('6 NaN, 1 +Inf, 1 −Inf');
    await screenshotWhole(page, 'compare-nan');

    // The run's own page marks them too, with the x axis reaching the trailing NaN steps.
    await page.evaluate(`window.location.hash = ${JSON.stringify(`#/runs/${nanRun}`)}`);
    await expect.poll(async () => (await plotted(page, 'loss'))?.lines[0]?.label).toBe('run-nan');
    const own = (await plotted(page, 'loss'))!;
    expect(own.lines[0]!.nonFinite).toEqual({ nan: 6, inf: 1, negInf: 1 });
    expect(own.xRange[1]).toBeGreaterThanOrEqual(39);
    await screenshotWhole(page, 'run-page-nan');
    expect(errors).toEqual([]);
  });
});
