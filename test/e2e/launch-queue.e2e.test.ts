import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { collectPageErrors, screenshotPath, useE2eApp } from '../helpers/e2e-fixture';
import { chromiumPath, dockerAvailable } from '../helpers/requirements';

const browserPath = chromiumPath();
const docker = browserPath ? await dockerAvailable() : false;

const METRICS_COMMAND =
  'python3 -c "import time,json; [print(\'ORRERY_METRICS \'+json.dumps({\'step\':i,\'loss\':1/(i+1)}), flush=True) or time.sleep(0.2) for i in range(20)]"';

async function openQueue(page: Page): Promise<void> {
  // A hash change, as a click on a link would make (the page is not reloaded).
  await page.evaluate("window.location.hash = '#/queue'");
  await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor({ timeout: 20_000 });
}

async function openLaunchDialog(page: Page): Promise<void> {
  await page.getByTestId('new-job').click();
  await page.getByTestId('launch-dialog').waitFor();
  // The image list has arrived and one is picked.
  await expect.poll(() => page.getByLabel('Image', { exact: true }).inputValue(), { timeout: 20_000 }).not.toBe('');
}

describe.skipIf(!browserPath || !docker)('Launching a job and the queue, in a real browser against npm run serve', () => {
  const app = useE2eApp(browserPath, { name: 'launch' });

  it('launches a job in orrery/python:local, lists it, refuses memory above the machine, cancels another', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1360, height: 900 } });
    const errors = collectPageErrors(page);
    // Every job submission the page makes, seen on the wire.
    const submits: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/rpc/training.submit')) submits.push(request.url());
    });
    await page.goto(app.serve.openUrl);
    await page.getByTestId('nav').waitFor();
    await openQueue(page);

    // A newcomer sees what a job is, and the way to start one.
    await expect.poll(() => page.getByTestId('queue-empty').textContent(), { timeout: 20_000 }).toMatch(/A job runs your training script/);

    await openLaunchDialog(page);
    await page.getByLabel('Image', { exact: true }).selectOption('orrery/python:local');
    await page.getByLabel('Command', { exact: true }).fill(METRICS_COMMAND);
    await page.getByLabel('Hyperparameter 1 name').fill('lr');
    await page.getByLabel('Hyperparameter 1 value').fill('0.1');

    // In a sweep the hyperparameters stay, as the ones every trial gets; one also swept is refused by name.
    await page.getByRole('radio', { name: 'Sweep' }).check();
    expect(await page.getByLabel('Hyperparameter 1 name').inputValue()).toBe('lr');
    await page.getByLabel('Parameter 1 name', { exact: true }).fill('lr');
    await page.getByLabel('Parameter 1 values', { exact: true }).fill('0.1, 0.01');
    await page.getByTestId('launch-submit').click();
    await expect.poll(() => page.getByTestId('hyperparameters').locator('.field-error').textContent()).toMatch(/'lr' is also swept/);
    await page.getByTestId('hyperparameters').locator('xpath=..').screenshot({ path: screenshotPath('f2-sweep-fixed-params') });
    await page.getByRole('radio', { name: 'Single job' }).check();
    expect(submits).toEqual([]);

    // Memory above the machine is refused inline, and nothing is sent.
    await page.getByLabel('Memory (GB)').fill('999999');
    await expect.poll(() => page.getByTestId('field-memory-error').textContent()).toMatch(/must be at most .* GB \(this machine's memory\)/);
    await page.getByTestId('launch-submit').click();
    // The click was handled (the field error is still shown) and no submission went out; the
    // server, asked directly, holds no job.
    await expect.poll(() => page.getByTestId('field-memory-error').count()).toBe(1);
    // Let the page finish what the click started (its handlers, their awaits, a frame) before looking.
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))');
    expect(submits).toEqual([]);
    expect(await app.rpc<unknown[]>('training.listJobs', {})).toEqual([]);
    expect(page.url()).not.toMatch(/#\/runs\//);
    await page.screenshot({ path: screenshotPath('launch-dialog-invalid') });

    await page.getByLabel('Memory (GB)').fill('1');
    await expect.poll(() => page.getByTestId('field-memory-error').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('launch-dialog') });
    await page.getByTestId('launch-submit').click();
    await expect.poll(() => page.url(), { timeout: 20_000 }).toMatch(/#\/runs\/[0-9a-f]+$/);
    const runId = /#\/runs\/([0-9a-f]+)$/.exec(page.url())![1]!;

    // On the run page the loss chart appears and grows while the job logs, live.
    const lossChart = page.locator('[data-testid="metric-chart"][data-key="loss"]');
    const latestStep = async () => Number(/latest\s+([\d,]+)/.exec((await lossChart.textContent()) ?? '')?.[1]?.replaceAll(',', '') ?? -1);
    await expect.poll(latestStep, { timeout: 30_000 }).toBeGreaterThanOrEqual(0);
    const seen = await latestStep();
    await expect.poll(latestStep, { timeout: 30_000 }).toBe(19);
    expect(seen).toBeLessThan(19);
    await page.screenshot({ path: screenshotPath('run-page-live-job'), fullPage: true });

    // Back on the queue, the job is there, running or already finished, in Docker.
    await openQueue(page);
    const first = page.locator(`[data-testid="job-row"]:has(a[href="#/runs/${runId}"])`);
    await expect.poll(() => first.getAttribute('data-status'), { timeout: 30_000 }).toMatch(/running|finished/);
    expect(await first.textContent()).toMatch(/orrery\/python:local/);
    expect(await first.textContent()).toMatch(/1 GB/);

    // A second, long job, cancelled from the queue.
    await openLaunchDialog(page);
    await page.getByLabel('Name', { exact: true }).fill('sleeper');
    await page.getByLabel('Command', { exact: true }).fill('sleep 120');
    await page.getByTestId('launch-submit').click();
    await expect.poll(() => page.url(), { timeout: 20_000 }).toMatch(/#\/runs\/[0-9a-f]+$/);
    await openQueue(page);
    const second = page.locator('[data-testid="job-row"]:has(a:text-is("sleeper"))');
    await expect.poll(() => second.getAttribute('data-status'), { timeout: 30_000 }).toMatch(/queued|running/);
    // Let the elapsed time tick once, for the picture.
    await page.waitForTimeout(1500);
    await page.screenshot({ path: screenshotPath('jobs'), fullPage: true });
    await page.getByRole('button', { name: 'Cancel sleeper' }).click();
    // Cancelling asks first.
    await page.getByTestId('confirm-cancel-job-submit').click();
    await expect.poll(() => second.getAttribute('data-status'), { timeout: 30_000 }).toBe('cancelled');
    await expect.poll(() => first.getAttribute('data-status'), { timeout: 30_000 }).toBe('finished');
    await page.screenshot({ path: screenshotPath('jobs-ended'), fullPage: true });
    expect(errors).toEqual([]);
    // Two jobs in a container, each waited for: its polls' own limits are the bounds, not 20 s for the whole.
  }, 120_000);
});
