import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { collectPageErrors, screenshotPath, useE2eApp } from '../helpers/e2e-fixture';
import { chromiumPath, dockerAvailable } from '../helpers/requirements';

const browserPath = chromiumPath();
const docker = browserPath ? await dockerAvailable() : false;
const examples = path.resolve(import.meta.dirname, '../../resources/examples');

async function openQueue(page: Page): Promise<void> {
  await page.evaluate("window.location.hash = '#/queue'");
  await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor({ timeout: 20_000 });
}

async function openLaunchDialog(page: Page): Promise<void> {
  await openQueue(page);
  await page.getByTestId('new-job').click();
  await page.getByTestId('launch-dialog').waitFor();
  await expect.poll(() => page.getByLabel('Image', { exact: true }).inputValue(), { timeout: 20_000 }).not.toBe('');
}

async function submitAndOpenRun(page: Page): Promise<string> {
  const before = page.url();
  await page.getByTestId('launch-submit').click();
  await expect.poll(() => page.url(), { timeout: 20_000 }).not.toBe(before);
  await expect.poll(() => page.url(), { timeout: 20_000 }).toMatch(/#\/runs\/[0-9a-f]{32}$/);
  return /#\/runs\/([0-9a-f]{32})$/.exec(page.url())![1]!;
}

/** The run page's params card as name → value. */
async function paramsOf(page: Page): Promise<Record<string, string>> {
  const rows = await page.getByTestId('params').locator('tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')?.textContent ?? '', tr.querySelector('td')?.textContent ?? '']));
  return Object.fromEntries(rows);
}

describe.skipIf(!browserPath || !docker)('Running your own code from the launch dialog, re-running it, and whole logs, in a real browser', () => {
  const app = useE2eApp(browserPath, { name: 'launch-workspace' });

  it('launches resources/examples/digits_sgd.py with a workspace mount, shows its metrics and its job, and re-runs it with one param changed', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1360, height: 1000 } });
    // The host's refusal of the missing dataset below is an HTTP 400 the browser reports.
    const errors = collectPageErrors(page, /the server responded with a status of 400/);
    await page.goto(app.serve.openUrl);
    await page.getByTestId('nav').waitFor();
    await openLaunchDialog(page);

    await page.getByLabel('Experiment', { exact: true }).fill('digits');
    await page.getByLabel('Image', { exact: true }).selectOption('orrery/python:local');
    await page.getByLabel('Command', { exact: true }).fill('python3 digits_sgd.py');
    await page.getByLabel('Workspace folder (host)').fill(examples);
    await page.getByLabel('Workspace folder (host)').blur();
    // A dataset that is not there is named at its row, by the host, before anything is sent.
    await page.getByRole('button', { name: '+ Add dataset' }).click();
    await page.getByLabel('Dataset 1 host path').fill(path.join(examples, 'no-such-folder'));
    await page.getByLabel('Dataset 1 host path').blur();
    await expect.poll(() => page.getByTestId('dataset-1-error').textContent(), { timeout: 10_000 }).toMatch(/no-such-folder' does not exist/);
    await page.getByRole('button', { name: '+ Add variable' }).click();
    await page.getByLabel('Variable 1 name').fill('1BAD');
    await expect.poll(() => page.getByTestId('env-1-error').textContent()).toMatch(/not a valid variable name/);
    await page.getByLabel('Hyperparameter 1 name').fill('epochs');
    await page.getByLabel('Hyperparameter 1 value').fill('3');
    await page.getByTestId('launch-submit').click();
    await page.getByTestId('code-and-data').screenshot({ path: screenshotPath('launch-workspace-path-error') });
    expect(page.url()).not.toMatch(/#\/runs\//);

    // Editing the field clears the host's verdict; a real dataset and a valid variable go through.
    await page.getByLabel('Dataset 1 host path').fill(path.join(examples, 'rest_logger.py'));
    await expect.poll(() => page.getByTestId('dataset-1-error').count()).toBe(0);
    await page.getByLabel('Variable 1 name').fill('DIGITS_NOTE');
    await page.getByLabel('Variable 1 value').fill('from the dialog');
    await expect.poll(() => page.getByTestId('env-1-error').count()).toBe(0);
    await page.getByTestId('code-and-data').screenshot({ path: screenshotPath('launch-workspace-filled') });
    const sourceRun = await submitAndOpenRun(page);

    // Its metrics arrive on the run page, and the job card shows the spec it ran with.
    const valAcc = page.locator('[data-testid="metric-chart"][data-key="val_acc"]');
    await expect.poll(async () => /latest\s+2(?!\d)/.test((await valAcc.textContent()) ?? ''), { timeout: 90_000 }).toBe(true);
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toBe('finished');
    await expect.poll(() => page.getByTestId('job-state').textContent()).toBe('Finished: exited with code 0');
    expect(await page.getByTestId('job-mounts').textContent()).toContain(`${examples} → /workspace`);
    expect(await page.getByTestId('job-mounts').textContent()).toContain('rest_logger.py → /data/rest_logger.py');
    expect(await page.getByTestId('job-workdir').textContent()).toBe('/workspace');
    expect(await page.getByTestId('job-env').textContent()).toBe('DIGITS_NOTE=from the dialog');
    expect(await paramsOf(page)).toMatchObject({ epochs: '3' });
    await page.getByTestId('job-card').screenshot({ path: screenshotPath('launch-workspace-job-card') });

    // Re-run with one param changed: the dialog comes filled, the new run has the change and links back.
    await page.getByTestId('rerun').click();
    await page.getByTestId('launch-dialog').waitFor();
    expect(await page.getByLabel('Workspace folder (host)').inputValue()).toBe(examples);
    expect(await page.getByLabel('Command', { exact: true }).inputValue()).toBe('python3 digits_sgd.py');
    expect(await page.getByLabel('Hyperparameter 1 name').inputValue()).toBe('epochs');
    await page.getByLabel('Hyperparameter 1 value').fill('4');
    await page.screenshot({ path: screenshotPath('launch-workspace-rerun-dialog') });
    const rerun = await submitAndOpenRun(page);
    expect(rerun).not.toBe(sourceRun);
    await expect.poll(() => page.getByTestId('rerun-of').textContent(), { timeout: 20_000 }).toBe(`Re-run of ${sourceRun.slice(0, 12)}`);
    await expect.poll(async () => (await paramsOf(page)).epochs, { timeout: 20_000 }).toBe('4');
    expect(await page.getByTestId('rerun-of').locator('a').getAttribute('href')).toBe(`#/runs/${sourceRun}`);
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 90_000 }).toBe('finished');
    // The job card follows its job to the end: no stale "Running" with a Cancel button.
    await expect.poll(() => page.getByTestId('job-state').textContent(), { timeout: 10_000 }).toBe('Finished: exited with code 0');
    expect(await page.getByTestId('run-cancel-job').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('launch-workspace-rerun-run'), fullPage: true });

    // The source links forward to its re-run, and the jobs page offers a finished job Re-run… (on its run page), not an instant Retry.
    await page.evaluate(`window.location.hash = "#/runs/${sourceRun}"`);
    await expect.poll(() => page.getByTestId('reruns').locator(`a[href="#/runs/${rerun}"]`).count(), { timeout: 20_000 }).toBe(1);
    await page.getByTestId('job-card').screenshot({ path: screenshotPath('f2-source-reruns') });
    await openQueue(page);
    const finishedRow = page.locator(`[data-testid="job-row"]:has(a[href="#/runs/${sourceRun}"].job-name)`);
    await finishedRow.waitFor();
    expect(await finishedRow.getByRole('button', { name: /^Retry/ }).count()).toBe(0);
    expect(await finishedRow.getByRole('link', { name: /^Re-run/ }).getAttribute('href')).toBe(`#/runs/${sourceRun}`);
    await page.screenshot({ path: screenshotPath('f2-jobs-finished-rerun') });

    // The dialog opens again with what was last used for this experiment.
    await openLaunchDialog(page);
    expect(await page.getByLabel('Experiment', { exact: true }).inputValue()).toBe('digits');
    expect(await page.getByLabel('Workspace folder (host)').inputValue()).toBe(examples);
    expect(await page.getByLabel('Hyperparameter 1 value').inputValue()).toBe('4');
    await page.getByRole('button', { name: 'Close' }).click();
    expect(errors).toEqual([]);
  }, 240_000);

  it('shows the traceback of a script that fails at once in the live log, without a reload; cancel asks first', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1360, height: 1000 } });
    const errors = collectPageErrors(page);
    await page.goto(app.serve.openUrl);
    await page.getByTestId('nav').waitFor();
    // A script that is not there: python exits 2 in its first milliseconds, before the page has
    // read that the job started (its re-reads of the run are held back here, as on a slow machine).
    let runShown = false;
    await page.route(/\/api\/rpc\/tracking\.getRun$/, async (route) => {
      if (runShown) await new Promise((resolve) => setTimeout(resolve, 3000));
      const response = await route.fetch();
      runShown = true;
      await route.fulfill({ response });
    });
    await openLaunchDialog(page);
    await page.getByLabel('Name', { exact: true }).fill('no-script');
    await page.getByLabel('Command', { exact: true }).fill('python3 no_such_script.py');
    await submitAndOpenRun(page);
    await expect.poll(() => page.getByTestId('logs').textContent(), { timeout: 30_000 }).toContain('Ended: exited with code 2');
    expect(await page.getByTestId('logs').textContent()).toMatch(/can't open file .*no_such_script\.py/);
    // A held re-read may still be on its way: let it go quietly.
    await page.unrouteAll({ behavior: 'ignoreErrors' });

    await openLaunchDialog(page);
    await page.getByLabel('Name', { exact: true }).fill('fails-at-once');
    await page.getByLabel('Command', { exact: true }).fill('python3 -c "import json; print(\'reading config\'); json.loads(\'{bad\')"');
    await submitAndOpenRun(page);
    const logs = page.getByTestId('logs');
    await expect.poll(() => logs.textContent(), { timeout: 30_000 }).toContain('Ended: exited with code 1');
    const text = (await logs.textContent()) ?? '';
    expect(text).toContain('reading config');
    expect(text).toContain('Traceback (most recent call last)');
    expect(text).toContain('json.decoder.JSONDecodeError');
    // The Job card follows the job's own events, on their own (debounced) way.
    await expect.poll(() => page.getByTestId('job-state').textContent(), { timeout: 10_000 }).toBe('Failed: exited with code 1');
    await page.getByTestId('logs-panel').screenshot({ path: screenshotPath('launch-workspace-failing-log') });

    // The jobs page says how it ended in the same words.
    await openQueue(page);
    const row = page.locator('[data-testid="job-row"]:has(a:text-is("fails-at-once"))');
    await expect.poll(() => row.getByTestId('job-reason').textContent(), { timeout: 20_000 }).toBe('Failed: exited with code 1');

    // Cancel from the run page asks first; keeping it running changes nothing.
    await openLaunchDialog(page);
    await page.getByLabel('Name', { exact: true }).fill('long-sleeper');
    await page.getByLabel('Command', { exact: true }).fill('sleep 300');
    await submitAndOpenRun(page);
    await expect.poll(() => page.getByTestId('job-state').textContent(), { timeout: 30_000 }).toMatch(/^Running/);
    await page.getByTestId('run-cancel-job').click();
    const confirm = page.getByTestId('confirm-cancel-job');
    await confirm.waitFor();
    expect(await confirm.textContent()).toMatch(/killed after 10 seconds/);
    // In the words the jobs page uses for how it ends, pointing at what the run page offers.
    expect(await confirm.textContent()).toMatch(/ends as “Cancelled by the user”.*“Re-run…” on its run page/s);
    await page.screenshot({ path: screenshotPath('f2-cancel-confirm') });
    await page.screenshot({ path: screenshotPath('launch-workspace-cancel-confirm') });
    await page.getByRole('button', { name: 'Keep it running' }).click();
    await expect.poll(() => confirm.count()).toBe(0);
    expect(await page.getByTestId('job-state').textContent()).toMatch(/^Running/);
    await page.getByTestId('run-cancel-job').click();
    await page.getByTestId('confirm-cancel-job-submit').click();
    await expect.poll(() => page.getByTestId('job-state').textContent(), { timeout: 30_000 }).toMatch(/^Cancelled/);
    await expect.poll(() => page.getByTestId('run-cancel-job').count()).toBe(0);
    // Beside MLflow's "killed", the job's ending as the jobs page says it.
    await expect.poll(() => page.getByTestId('run-job-ending').textContent(), { timeout: 20_000 }).toBe('Cancelled by the user');
    await page.locator('.page-head').screenshot({ path: screenshotPath('f2-run-cancelled-head') });
    expect(errors).toEqual([]);
  }, 150_000);
});
