import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { screenshotPath, useE2eApp } from '../helpers/e2e-fixture';
import { chromiumPath } from '../helpers/requirements';
import { freePort, startServe } from '../helpers/serve-process';

const browserPath = chromiumPath();
const TOKEN = 't';

describe.skipIf(!browserPath)('Experiments and the runs table in a real browser against npm run serve', () => {
  const app = useE2eApp(browserPath, { name: 'exp', token: TOKEN }, 240_000);
  const { mlflow } = app;
  let experimentId: string;
  let maxAccRun: string;
  const runIds: string[] = [];
  /** Each top-level run's acc (sweep trials sit under their parent whatever the order). */
  const topLevelAcc = new Map<string, number>();

  async function createRun(name: string, lr: number, batch: number, acc: number, tags: Array<{ key: string; value: string }> = []): Promise<string> {
    const start = Date.now() - 60_000;
    const { run } = await mlflow<{ run: { info: { run_id: string } } }>('runs/create', { experiment_id: experimentId, run_name: name, start_time: start, tags });
    const runId = run.info.run_id;
    await mlflow('runs/log-batch', {
      run_id: runId,
      params: [
        { key: 'lr', value: String(lr) },
        { key: 'batch', value: String(batch) },
      ],
      metrics: [{ key: 'acc', value: acc, timestamp: start + 1000, step: 0 }],
    });
    await mlflow('runs/update', { run_id: runId, status: 'FINISHED', end_time: start + 30_000 + Math.round(lr * 1e5) });
    return runId;
  }

  // A bad filter is answered 400 by the server and shown inline; the browser logs that request.
  const openPage = (hash: string): Promise<{ page: Page; errors: string[] }> =>
    app.openPage(hash, { expectedErrors: /status of 400/, viewport: { width: 1360, height: 860 } });

  beforeAll(async () => {
    const created = await mlflow<{ experiment_id: string }>('experiments/create', { name: 'resnet-sweeps' });
    experimentId = created.experiment_id;
    let best = -1;
    for (let i = 0; i < 24; i++) {
      const acc = Number(((i * 37) % 24 / 24).toFixed(3)); // 0 .. 0.958, shuffled
      const id = await createRun(`run-${String(i).padStart(2, '0')}`, 0.001 * (i + 1), 16 * ((i % 4) + 1), acc);
      runIds.push(id);
      topLevelAcc.set(id, acc);
      if (acc > best) {
        best = acc;
        maxAccRun = id;
      }
    }
    const parent = await createRun('sweep-parent', 0.01, 32, 0.3);
    runIds.push(parent);
    topLevelAcc.set(parent, 0.3);
    for (let i = 0; i < 5; i++) {
      runIds.push(await createRun(`trial-${i}`, 0.02 * (i + 1), 64, 0.2 + i * 0.05, [{ key: 'mlflow.parentRunId', value: parent }]));
    }
  }, 240_000);

  it('lists experiments with run counts, newest activity first', async () => {
    const { page, errors } = await openPage('#/experiments');
    const row = page.getByTestId('experiment-row').filter({ hasText: 'resnet-sweeps' });
    await expect.poll(() => row.textContent(), { timeout: 20_000 }).toMatch(/resnet-sweeps\s*30/);
    await expect.poll(() => page.getByTestId('nav').getByRole('button', { name: 'Experiments' }).getAttribute('aria-current')).toBe('page');

    // Create one inline: it appears in the list.
    await page.getByTestId('new-experiment-name').fill('baseline');
    await page.getByRole('button', { name: 'Create experiment' }).click();
    await expect.poll(() => page.getByTestId('experiment-row').filter({ hasText: 'baseline' }).count()).toBe(1);
    await page.screenshot({ path: screenshotPath('experiments-list'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a newcomer sees how to log with MLflow, with this server address', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-e2e-empty-'));
    const empty = await startServe(['--port', String(await freePort()), '--data-dir', dir], { ORRERY_TOKEN: TOKEN });
    try {
      const page = await app.browser.newPage({ viewport: { width: 1360, height: 860 } });
      await page.goto(empty.openUrl);
      await page.waitForFunction("!window.location.hash.includes('token=')");
      await page.evaluate("window.location.hash = '#/experiments'");
      const box = page.getByTestId('experiments-empty');
      await expect.poll(() => box.textContent(), { timeout: 20_000 }).toContain(`MLFLOW_TRACKING_URI=${new URL(empty.openUrl).origin}`);
      expect(await box.textContent()).toContain('server.json');
      expect(await box.textContent()).toContain('No experiments yet');
      await page.screenshot({ path: screenshotPath('experiments-empty'), fullPage: true });
      await page.close();
    } finally {
      await empty.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('shows, filters, sorts, picks columns, compares and renames runs', async () => {
    const { page, errors } = await openPage(`#/experiments/${experimentId}`);
    const rows = page.getByTestId('run-row');
    await expect.poll(() => page.getByTestId('runs-total').textContent(), { timeout: 20_000 }).toMatch(/^30 runs/);
    await expect.poll(() => rows.count()).toBe(30);
    // The name comes from its own request and may land after the runs: '…' until then.
    await expect.poll(() => page.getByTestId('experiment-name').textContent()).toBe('resnet-sweeps');

    // Sweep trials sit under their parent, indented, and collapse.
    const parentRow = rows.filter({ hasText: 'sweep-parent' });
    const parentIndex = await rows.evaluateAll((els) => els.findIndex((el) => el.textContent?.includes('sweep-parent')));
    const after = await rows.evaluateAll((els, i) => els.slice(i + 1, i + 6).map((el) => el.textContent ?? ''), parentIndex);
    expect(after.every((t) => t.includes('trial-'))).toBe(true);
    await parentRow.getByRole('button', { name: /Collapse 5 child runs/ }).click();
    await expect.poll(() => rows.count()).toBe(25);
    await parentRow.getByRole('button', { name: /Expand 5 child runs/ }).click();
    await expect.poll(() => rows.count()).toBe(30);
    await page.screenshot({ path: screenshotPath('runs-table'), fullPage: true });

    // Filter on Enter.
    const filter = page.getByTestId('runs-filter');
    // Filter on Enter: exactly the runs above 0.5, not the one at 0.5 (acc is k/24 for k = 0..23).
    const shownIds = () => rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-run-id') ?? ''));
    const above = [...topLevelAcc].filter(([, acc]) => acc > 0.5).map(([id]) => id);
    expect(above).toHaveLength(11);
    await filter.fill('metrics.acc > 0.5');
    await filter.press('Enter');
    await expect.poll(async () => (await shownIds()).sort()).toEqual([...above].sort());
    expect(await page.getByTestId('runs-total').textContent()).toContain('11 runs matching');

    // A bad filter: the server's message, inline under the box.
    await filter.fill('metrics.acc >> 1');
    await filter.press('Enter');
    await expect.poll(() => page.getByTestId('filter-error').textContent()).toMatch(/Invalid comparator/i);
    await page.screenshot({ path: screenshotPath('runs-table-filter-error'), fullPage: true });
    await filter.fill('');
    await filter.press('Enter');
    await expect.poll(() => rows.count()).toBe(30);
    expect(await page.getByTestId('filter-error').count()).toBe(0);

    // Sort by acc: the first click sorts descending.
    // The whole first page in order: top-level runs by acc (no ties among them), trials under their parent.
    const byAcc = [...topLevelAcc].sort((a, b) => b[1] - a[1]).map(([id]) => id);
    const topLevelShown = async () => (await shownIds()).filter((id) => topLevelAcc.has(id));
    await page.getByTestId('sort-metric.acc').click();
    await expect.poll(() => rows.first().getAttribute('data-run-id')).toBe(maxAccRun);
    await expect.poll(topLevelShown).toEqual(byAcc);
    await page.getByTestId('sort-metric.acc').click();
    await expect.poll(topLevelShown).toEqual([...byAcc].reverse());

    // The column picker adds lr.
    expect(await page.getByTestId('sort-param.lr').count()).toBe(0);
    await page.getByTestId('column-picker-button').click();
    await page.getByTestId('pick-param-lr').check();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('sort-param.lr').count()).toBe(1);
    await expect.poll(() => rows.filter({ hasText: 'run-00' }).textContent()).toContain('0.001');

    // Rename inline.
    const target = rows.filter({ hasText: 'run-03' });
    const targetId = await target.getAttribute('data-run-id');
    await target.getByRole('button', { name: 'Rename' }).click();
    const input = page.getByTestId('inline-input');
    await input.fill('renamed-run');
    await input.press('Enter');
    await expect.poll(() => page.locator(`[data-run-id="${targetId}"]`).textContent()).toContain('renamed-run');
    const res = await fetch(`${app.origin}/api/2.0/mlflow/runs/get?run_id=${targetId}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(((await res.json()) as { run: { info: { run_name: string } } }).run.info.run_name).toBe('renamed-run');

    // Keyboard: focus the grid, move down, select with Space.
    await page.getByTestId('runs-grid').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByTestId('compare-button').textContent()).toBe('Compare (1)');

    // Select another with the mouse, then Compare.
    const second = rows.nth(4);
    await second.getByRole('checkbox').check();
    await expect.poll(() => page.getByTestId('compare-button').textContent()).toBe('Compare (2)');
    const chosen = await rows.evaluateAll((els) => els.filter((el) => el.getAttribute('aria-selected') === 'true').map((el) => el.getAttribute('data-run-id')));
    await page.getByTestId('compare-button').click();
    await expect.poll(() => page.evaluate<string>('window.location.hash')).toMatch(/^#\/compare\?runs=[0-9a-f]{32},[0-9a-f]{32}$/);
    const hash = await page.evaluate<string>('window.location.hash');
    expect(hash.split('=')[1]!.split(',').sort()).toEqual([...chosen].sort());
    expect(errors).toEqual([]);
    await page.close();
  });

  it('deletes and restores a run, and shows new runs live', async () => {
    const { page, errors } = await openPage(`#/experiments/${experimentId}`);
    const rows = page.getByTestId('run-row');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(30);
    const victim = rows.filter({ hasText: 'run-07' });
    const victimId = await victim.getAttribute('data-run-id');
    await victim.getByRole('button', { name: 'Delete' }).click();
    // Deleting asks first, and says how to undo it; nothing is gone until confirmed.
    await expect.poll(() => page.getByTestId('confirm-delete-run-text').textContent()).toMatch(/can be restored: tick “Show deleted”/);
    expect(await rows.count()).toBe(30);
    await page.getByTestId('confirm-delete-run-submit').click();
    await expect.poll(() => rows.count()).toBe(29);
    await expect.poll(() => page.getByTestId('confirm-delete-run').count()).toBe(0);
    await page.getByTestId('show-deleted').check();
    await expect.poll(() => rows.count()).toBe(30);
    await page.locator(`[data-run-id="${victimId}"]`).getByRole('button', { name: 'Restore' }).click();
    await page.getByTestId('show-deleted').uncheck();
    await expect.poll(() => rows.count()).toBe(30);

    // A run logged by a script appears without a reload.
    await createRun('live-run', 0.5, 8, 0.99);
    await expect.poll(() => rows.filter({ hasText: 'live-run' }).count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('runs-total').textContent()).toMatch(/^31 runs/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
