import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/services/store/database';
import { EventBus } from '../../electron/services/events/event-bus';
import { TrackingService } from '../../electron/services/tracking/tracking-service';
import { screenshotPath, useE2eApp } from '../helpers/e2e-fixture';
import { chromiumPath } from '../helpers/requirements';

const browserPath = chromiumPath();
const RUNS = 100_000;

describe.skipIf(!browserPath)('the runs table of a 100k-run experiment, in a real browser against npm run serve', () => {
  let experimentId = '';
  const app = useE2eApp(browserPath, { name: 'window', seed: manyRuns });

  /** The experiment through the app's own service; its runs in one INSERT (the write path would take minutes). */
  async function manyRuns(dataDir: string): Promise<void> {
    const { db } = openDatabase({ dataDir });
    try {
      experimentId = new TrackingService({ db, bus: new EventBus() }).createExperiment('many-runs');
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
         INSERT INTO runs (run_id, experiment_id, name, status, start_time, end_time, artifact_uri, last_update_time)
         SELECT printf('%032x', i), ?, 'run-' || i, 'FINISHED', 1750000000000 + i * 1000, 1750000000000 + i * 1000 + 500, 'mlflow-artifacts:/x', 1750000000000
         FROM n`,
      ).run(RUNS, Number(experimentId));
    } finally {
      db.close();
    }
  }

  it('renders only the rows in view, and scrolling brings later runs in order without fetching them all', async () => {
    const { page, errors } = await app.openPage(`#/experiments/${experimentId}`, { viewport: { width: 1360, height: 860 } });
    const rows = page.getByTestId('run-row');
    const grid = page.getByTestId('runs-grid');
    const names = () => rows.evaluateAll((els) => els.map((el) => ({ name: el.querySelector('.run-link')?.textContent ?? '', index: Number(el.getAttribute('aria-rowindex')) })));

    // Newest first; a page loaded, not the experiment.
    await expect.poll(async () => (await names())[0]?.name, { timeout: 30_000 }).toBe(`run-${RUNS - 1}`);
    expect(await page.getByTestId('runs-total').textContent()).toBe(`200 of ${RUNS} runs loaded`);
    const first = await rows.count();
    expect(first).toBeGreaterThan(10);
    expect(first).toBeLessThan(80);

    // Scroll to the end of what is loaded, again and again: pages come as the window nears their end.
    const loaded = async () => Number(await grid.getAttribute('aria-rowcount')) - 1;
    while ((await loaded()) < 1200) {
      const before = await loaded();
      await grid.evaluate((el) => (el.scrollTop = el.scrollHeight));
      await expect.poll(loaded, { timeout: 20_000 }).toBeGreaterThan(before);
    }
    // Row 1,000 (run-98999) in view: every rendered row is the run at its place, one after another.
    await grid.evaluate((el) => (el.scrollTop = 1000 * 32));
    await expect.poll(async () => (await names()).some((r) => r.name === `run-${RUNS - 1 - 1000}`)).toBe(true);
    const shown = (await names()).sort((a, b) => a.index - b.index);
    expect(shown.length).toBeLessThan(80);
    for (const row of shown) expect(row.name).toBe(`run-${RUNS - 1 - (row.index - 2)}`);
    expect(shown.map((r) => r.index)).toEqual(shown.map((_, i) => shown[0]!.index + i));
    expect(await loaded()).toBeLessThan(RUNS);
    expect(await page.getByTestId('runs-total').textContent()).toMatch(new RegExp(`^\\d+ of ${RUNS} runs loaded$`));
    await page.screenshot({ path: screenshotPath('runs-table-100k-scrolled') });

    // A new filter is a new list: it is shown from its first row, not where the old one was scrolled to.
    const filter = page.getByTestId('runs-filter');
    await filter.fill("attributes.run_name LIKE 'run-1%'");
    await filter.press('Enter');
    await expect.poll(async () => (await names()).sort((a, b) => a.index - b.index)[0]?.name, { timeout: 30_000 }).toBe('run-19999');
    expect(await grid.evaluate((el) => el.scrollTop)).toBe(0);
    await page.screenshot({ path: screenshotPath('runs-table-100k-filtered') });
    expect(errors).toEqual([]);
  }, 180_000);
});
