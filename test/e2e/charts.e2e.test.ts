import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Plotted } from '../../renderer/src/charts/plotted-readout';
import { screenshotPath, useE2eApp } from '../helpers/e2e-fixture';
import { chromiumPath } from '../helpers/requirements';

const browserPath = chromiumPath();
/** Longer than the 1000 buckets a chart reads, so a comparison's lines are downsampled until zoomed. */
const LONG = 3000;
const SHORT = 2000;
const LONG_NAME = 'a-very-long-experiment-run-name-lr-0.1-seed-42';

const chart = (page: Page, key: string) => page.locator(`[data-testid="metric-chart"][data-key="${key}"]`).first();

/** The metric chart `key`'s last drawing, or null before it has drawn once. */
async function plotted(page: Page, key: string): Promise<Plotted | null> {
  const raw = await chart(page, key).getAttribute('data-plotted');
  return raw === null ? null : (JSON.parse(raw) as Plotted);
}

/** The page x (CSS pixels) of the value `x` on a chart's x axis, as last drawn. */
async function pageX(page: Page, figure: Locator, key: string, x: number): Promise<{ px: number; y: number }> {
  await figure.scrollIntoViewIfNeeded();
  const box = (await figure.locator('canvas').boundingBox())!;
  const p = (await plotted(page, key))!;
  const [left, right] = p.plotArea;
  const [min, max] = p.xRange;
  return { px: box.x + left + ((x - min) / (max - min)) * (right - left), y: box.y + box.height / 2 };
}

describe.skipIf(!browserPath)('Metric charts you can trust: NaN marks, shared zoom, raw values, nearest readout', () => {
  const app = useE2eApp(browserPath, { name: 'charts', token: 'charts-token' });
  const { mlflow } = app;
  const openPage = (hash: string) => app.openPage(hash);
  let experimentId: string;
  let longRun: string;
  let shortRun: string;
  let nanRun: string;

  async function createRun(name: string, steps: number, value: (step: number) => number | string): Promise<string> {
    const start = Date.now() - 600_000;
    const { run } = await mlflow<{ run: { info: { run_id: string } } }>('runs/create', { experiment_id: experimentId, run_name: name, start_time: start });
    const runId = run.info.run_id;
    const points: Array<{ key: string; value: number | string; timestamp: number; step: number }> = [];
    for (let step = 0; step < steps; step++) {
      points.push({ key: 'loss', value: value(step), timestamp: start + step * 10, step });
      points.push({ key: 'accuracy', value: step / steps, timestamp: start + step * 10, step });
    }
    for (let i = 0; i < points.length; i += 1000) await mlflow('runs/log-batch', { run_id: runId, metrics: points.slice(i, i + 1000) });
    await mlflow('runs/update', { run_id: runId, status: 'FINISHED', end_time: start + steps * 10 });
    return runId;
  }

  beforeAll(async () => {
    experimentId = (await mlflow<{ experiment_id: string }>('experiments/create', { name: 'charts-e2e' })).experiment_id;
    // A loss whose value names its step (1000 / (step + 10)), so the legend shows which point it read.
    longRun = await createRun(LONG_NAME, LONG, (step) => 1000 / (step + 10));
    shortRun = await createRun('short', SHORT, (step) => 1000 / (step + 10) + 1);
    // NaN at steps 10 and 11, +Infinity at 20, as MLflow clients send them; the rest a noisy decay.
    nanRun = await createRun('diverging', 40, (step) => {
      if (step === 10 || step === 11) return 'NaN';
      if (step === 20) return 'Infinity';
      return 1 / (step + 1) + (step % 2 === 0 ? 0.05 : 0);
    });
  });

  it('marks NaN and +Inf on the run page, counts them in the legend, and keeps raw values under smoothing', { timeout: 60_000 }, async () => {
    const { page, errors } = await openPage(`#/runs/${nanRun}`);
    const loss = chart(page, 'loss');
    await expect.poll(async () => (await plotted(page, 'loss'))?.lines[0]?.points ?? 0, { timeout: 20_000 }).toBe(40 - 3);
    const drawn = (await plotted(page, 'loss'))!;
    expect(drawn.lines[0]!.nonFinite).toEqual({ nan: 2, inf: 1, negInf: 0 });
    expect(drawn.lines[0]!.raw).toBeNull();
    // The line is not silently joined over them: the segments 9→12 and 19→21 are dashed.
    expect(drawn.lines[0]!.bridged).toBe(2);
    expect(await loss.locator('.metric-legend-nonfinite').textContent()).toBe('2 NaN, 1 +Inf');
    // Step ticks are whole steps, each once.
    expect(drawn.xTicks.length).toBeGreaterThan(1);
    for (const tick of drawn.xTicks) expect(Number.isInteger(tick), String(tick)).toBe(true);
    expect(new Set(drawn.xTicks).size).toBe(drawn.xTicks.length);

    // Smoothing draws the raw line faintly under the smoothed one; the legend keeps the raw value.
    const lastRaw = 1 / 40;
    expect(await loss.locator('.metric-legend-value').textContent()).toBe('0.025');
    await page.getByTestId('smoothing').fill('0.8');
    await expect.poll(async () => (await plotted(page, 'loss'))!.lines[0]!.raw?.points ?? 0).toBe(40 - 3);
    const smoothed = (await plotted(page, 'loss'))!.lines[0]!;
    expect(smoothed.raw!.y).toEqual(drawn.lines[0]!.y);
    // The EMA pulls the last value up towards the larger values before it.
    expect(smoothed.y![0]).toBeGreaterThan(lastRaw);
    expect(await loss.locator('.metric-legend-value').textContent()).toBe('0.025');
    expect(await loss.locator('.metric-legend-nonfinite').textContent()).toBe('2 NaN, 1 +Inf');
    await loss.screenshot({ path: screenshotPath('charts-run-smoothing-nan') });
    expect(errors).toEqual([]);
  });

  it("reads each run's point nearest to the cursor, and shows long names whole on hover", { timeout: 60_000 }, async () => {
    const { page, errors } = await openPage(`#/compare?runs=${longRun},${shortRun}`);
    await expect.poll(() => page.getByTestId('compare-page').getAttribute('data-painted'), { timeout: 20_000 }).toBe('true');
    const loss = chart(page, 'loss');
    const rows = loss.locator('.metric-legend-row');
    expect(await rows.count()).toBe(2);
    // The long name loses its middle: the head is cut to fit, the end stays whole; the tooltip has it all.
    const label = rows.nth(0).locator('.metric-legend-label');
    expect(await label.textContent()).toBe(LONG_NAME);
    expect(await label.getAttribute('title')).toBe(LONG_NAME);
    expect(await label.locator('.middle-truncated-tail').textContent()).toBe('.1-seed-42');
    const cut = async () =>
      label.evaluate((el) => {
        const head = el.querySelector('.middle-truncated-head')!;
        const tail = el.querySelector('.middle-truncated-tail')!.getBoundingClientRect();
        return { headCut: head.scrollWidth > head.clientWidth, tailShown: tail.right <= el.getBoundingClientRect().right + 0.5 && tail.width > 0 };
      });
    // Two runs in a chart of usual width: one legend column, so the name has the room and shows whole.
    expect(await cut()).toEqual({ headCut: false, tailShown: true });
    const rowTops = await rows.evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().top)));
    expect(rowTops[1]).toBeGreaterThan(rowTops[0]!);
    expect(await rows.nth(1).locator('.metric-legend-label').textContent()).toBe('short');
    // In a narrow chart the name loses its middle, only once: the head is cut, the end stays whole.
    await loss.evaluate((el) => ((el as unknown as { style: { width: string } }).style.width = '300px'));
    await expect.poll(cut).toEqual({ headCut: true, tailShown: true });
    await loss.evaluate((el) => ((el as unknown as { style: { width: string } }).style.width = ''));
    await expect.poll(cut).toEqual({ headCut: false, tailShown: true });

    // Hover at step 1000: both runs show their value there, not their last.
    const at = await pageX(page, loss, 'loss', 1000);
    await page.mouse.move(at.px, at.y);
    await expect.poll(() => loss.locator('.metric-legend-x').textContent()).toMatch(/^at 1,0\d\d|^at 99\d/);
    for (let i = 0; i < 2; i++) {
      const x = Number(await rows.nth(i).locator('.metric-legend-value').getAttribute('data-x'));
      expect(Math.abs(x - 1000), `row ${i} at ${x}`).toBeLessThan(10);
    }
    // Past the short run's end: it shows its last point, and says at which step.
    const late = await pageX(page, loss, 'loss', 2600);
    await page.mouse.move(late.px, late.y);
    await expect.poll(async () => Number(await rows.nth(0).locator('.metric-legend-value').getAttribute('data-x'))).toBeGreaterThan(2500);
    expect(Number(await rows.nth(1).locator('.metric-legend-value').getAttribute('data-x'))).toBe(SHORT - 1);
    expect(await rows.nth(1).locator('.metric-legend-at').textContent()).toBe('@1,999');
    expect(await cut()).toEqual({ headCut: false, tailShown: true });
    await page.locator('.compare-page .chart-grid').screenshot({ path: screenshotPath('charts-hover-readout') });
    await page.mouse.move(0, 0);
    expect(errors).toEqual([]);
  });

  it('drag-zooms every chart of a comparison at once, re-reads the window in full, and double-click resets all', { timeout: 90_000 }, async () => {
    const { page, errors } = await openPage(`#/compare?runs=${longRun},${shortRun}`);
    await expect.poll(() => page.getByTestId('compare-page').getAttribute('data-painted'), { timeout: 20_000 }).toBe('true');
    const whole = { loss: (await plotted(page, 'loss'))!, accuracy: (await plotted(page, 'accuracy'))! };
    expect(whole.loss.xRange[1]).toBeGreaterThanOrEqual(LONG - 1);
    // Downsampled before the zoom: fewer points than steps.
    expect(whole.loss.lines[0]!.points).toBeLessThan(1001);

    // Drag on the loss chart from step ~1000 to ~1400.
    const loss = chart(page, 'loss');
    const from = await pageX(page, loss, 'loss', 1000);
    const to = await pageX(page, loss, 'loss', 1400);
    await page.mouse.move(from.px, from.y);
    await page.mouse.down();
    await page.mouse.move((from.px + to.px) / 2, from.y, { steps: 3 });
    await page.mouse.move(to.px, to.y, { steps: 3 });
    await page.mouse.up();
    for (const key of ['loss', 'accuracy']) {
      await expect.poll(() => chart(page, key).getAttribute('data-zoomed'), { timeout: 5_000 }).toBe('true');
      const zoomed = (await plotted(page, key))!;
      expect(zoomed.xRange[0], key).toBeGreaterThan(980);
      expect(zoomed.xRange[0], key).toBeLessThan(1020);
      expect(zoomed.xRange[1], key).toBeGreaterThan(1380);
      expect(zoomed.xRange[1], key).toBeLessThan(1420);
    }
    const range = (await plotted(page, 'loss'))!.xRange;
    expect((await plotted(page, 'accuracy'))!.xRange).toEqual(range);
    // The pointer rests where the drag ended; the readout follows the new axis under it.
    const box = (await loss.locator('canvas').boundingBox())!;
    const [left, right] = (await plotted(page, 'loss'))!.plotArea;
    const under = range[0] + ((to.px - box.x - left) / (right - left)) * (range[1] - range[0]);
    await expect.poll(async () => Number((await loss.locator('.metric-legend-x').textContent())!.replace(/[^0-9]/g, ''))).toBeCloseTo(under, -1);
    expect(await chart(page, 'accuracy').getAttribute('data-x-min')).toBe(String(range[0]));
    // The window is read again at full resolution: every step in it is a point.
    const span = Math.ceil(range[1]) - Math.floor(range[0]) + 1;
    await expect.poll(async () => (await plotted(page, 'loss'))!.lines.map((l) => l.points), { timeout: 10_000 }).toEqual([span, span]);
    for (const line of (await plotted(page, 'loss'))!.lines) {
      expect(line.x![0]).toBe(Math.floor(range[0]));
      expect(line.x![1]).toBe(Math.ceil(range[1]));
    }
    await page.locator('.compare-page .chart-grid').screenshot({ path: screenshotPath('charts-compare-zoomed') });

    // The wheel zooms further in around the cursor, on every chart; down to whole steps it ticks each step once.
    const acc = chart(page, 'accuracy');
    const centre = await pageX(page, acc, 'accuracy', 1200);
    await page.mouse.move(centre.px, centre.y);
    for (let i = 0; i < 12; i++) await page.mouse.wheel(0, -200);
    await expect.poll(async () => {
      const [min, max] = (await plotted(page, 'loss'))!.xRange;
      return max - min;
    }).toBeLessThan(20);
    const narrow = (await plotted(page, 'accuracy'))!;
    expect(narrow.xRange[0]).toBeLessThan(1200);
    expect(narrow.xRange[1]).toBeGreaterThan(1200);
    expect((await plotted(page, 'loss'))!.xRange).toEqual(narrow.xRange);
    expect(narrow.xTicks.length, JSON.stringify([narrow.xRange, narrow.xTicks])).toBeGreaterThan(1);
    for (const tick of narrow.xTicks) expect(Number.isInteger(tick), String(tick)).toBe(true);
    expect(new Set(narrow.xTicks).size).toBe(narrow.xTicks.length);

    // Double-click on one chart shows the whole range again on all.
    await page.mouse.dblclick(centre.px, centre.y);
    for (const key of ['loss', 'accuracy'] as const) {
      await expect.poll(() => chart(page, key).getAttribute('data-zoomed')).toBe('false');
      expect((await plotted(page, key))!.xRange, key).toEqual(whole[key].xRange);
    }
    expect(errors).toEqual([]);
  });

});
