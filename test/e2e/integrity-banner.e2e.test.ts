import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../electron/services/store/database';
import { collectPageErrors, launchChromium, screenshotPath } from '../helpers/browser';
import { damageLeafPage } from '../helpers/damaged-store';
import { chromiumPath } from '../helpers/requirements';
import { freePort, startServe, type ServeProcess } from '../helpers/serve-process';
import { startTestServer } from '../helpers/test-server';
import { tempDir } from '../helpers/temp-dir';

const browserPath = chromiumPath();

describe.skipIf(!browserPath)('a damaged store, in a real browser against npm run serve', () => {
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;
  let dataDir = '';

  beforeAll(async () => {
    // A store with 20,000 metric points, then one of their pages overwritten.
    dataDir = tempDir();
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

    serve = await startServe(['--port', String(await freePort()), '--data-dir', dataDir]);
    browser = await launchChromium(browserPath!);
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('shows a banner above the page saying the store is damaged and what to do; the terminal says it too', async () => {
    const page = await browser!.newPage({ viewport: { width: 1360, height: 900 } });
    const errors = collectPageErrors(page);
    await page.goto(serve!.openUrl);
    const banner = page.locator('.integrity-banner');
    await expect.poll(() => banner.textContent(), { timeout: 20_000 }).toContain('Damaged database.');
    const text = (await banner.textContent()) ?? '';
    expect(text).toContain(path.join(dataDir, DATABASE_FILE));
    expect(text).toMatch(/restore orrery\.db from a backup/);
    // The Overview still works beneath it.
    await expect.poll(() => page.getByTestId('cpu-model').textContent(), { timeout: 20_000 }).toBeTruthy();
    await page.screenshot({ path: screenshotPath('integrity-banner'), fullPage: true });

    expect(serve!.output()).toContain(`Orrery: The database ${path.join(dataDir, DATABASE_FILE)} is damaged`);
    expect(errors).toEqual([]);
  });
});
