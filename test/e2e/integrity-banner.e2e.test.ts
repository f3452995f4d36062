import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../electron/services/store/database';
import { damageLeafPage } from '../helpers/damaged-store';
import { collectPageErrors, screenshotPath, useE2eApp } from '../helpers/e2e-fixture';
import { chromiumPath } from '../helpers/requirements';
import { startTestServer } from '../helpers/test-server';

const browserPath = chromiumPath();

describe.skipIf(!browserPath)('a damaged store, in a real browser against npm run serve', () => {
  // A store with 20,000 metric points, then one of their pages overwritten.
  const app = useE2eApp(browserPath, { name: 'damaged', seed: damagedStore });

  async function damagedStore(dataDir: string): Promise<void> {
    const seed = await startTestServer(dataDir);
    const exp = await seed.mlflow('experiments/create', { name: 'damaged' });
    const run = await seed.mlflow('runs/create', { experiment_id: exp.json.experiment_id, start_time: 1 });
    const runId = (run.json.run as { info: { run_id: string } }).info.run_id;
    for (let batch = 0; batch < 20; batch++) {
      const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: i, timestamp: 1000 + i, step: batch * 1000 + i }));
      await seed.mlflow('runs/log-batch', { run_id: runId, metrics });
    }
    await seed.close();
    damageLeafPage(path.join(dataDir, DATABASE_FILE), 'metric_points');
  }

  it('shows a banner above the page saying the store is damaged and what to do; the terminal says it too', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1360, height: 900 } });
    const errors = collectPageErrors(page);
    await page.goto(app.serve.openUrl);
    const banner = page.locator('.integrity-banner');
    await expect.poll(() => banner.textContent(), { timeout: 20_000 }).toContain('Damaged database.');
    const text = (await banner.textContent()) ?? '';
    expect(text).toContain(path.join(app.dataDir, DATABASE_FILE));
    expect(text).toMatch(/restore orrery\.db from a backup/);
    // The Overview still works beneath it.
    await expect.poll(() => page.getByTestId('cpu-model').textContent(), { timeout: 20_000 }).toBeTruthy();
    await page.screenshot({ path: screenshotPath('integrity-banner'), fullPage: true });

    expect(app.serve.output()).toContain(`Orrery: The database ${path.join(app.dataDir, DATABASE_FILE)} is damaged`);
    expect(errors).toEqual([]);
  });
});
