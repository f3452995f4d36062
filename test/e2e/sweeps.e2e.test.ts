import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SweepSubmitted } from '../../shared/contract/training';
import { screenshotPath, screenshotWhole, useE2eApp } from '../helpers/e2e-fixture';
import { GRID_SWEEP, gatedTrialCode, sweepGate } from '../helpers/gated-sweep';
import { chromiumPath } from '../helpers/requirements';

const browserPath = chromiumPath();

// Each trial waits for the gate, so the page is seen before any trial ends and then follows them live.
const gate = sweepGate('orrery-e2e-sweep-gate-');

describe.skipIf(!browserPath)("A sweep's parent run and its experiment, in a real browser against npm run serve", () => {
  // No engine at this DOCKER_HOST: the trials run as plain processes (image "host").
  const app = useE2eApp(browserPath, { name: 'sweeps', env: { DOCKER_HOST: `unix://${path.join(gate.dir, 'no-docker.sock')}` } }, 60_000);

  // A test that failed before opening the gate must not leave its trials waiting.
  afterAll(() => {
    if (fs.existsSync(gate.dir)) gate.open();
  });

  /** The sweep the first test submits; the second looks at its experiment. */
  let submitted: SweepSubmitted | undefined;

  it('lists the trials ranked by the objective as they finish, links the best, shows the space and a plot per param', { timeout: 120_000 }, async () => {
    const sweep = (submitted = await app.rpc<SweepSubmitted>('training.submitSweep', {
      spec: { name: 'depth-lr', image: 'host', experiment: 'sweep-e2e', command: ['python3', '-c', gatedTrialCode(gate.path)], hyperparameters: { epochs: 3 } },
      // opt has one value: every trial runs it, so it is listed as fixed rather than plotted.
      sweep: { ...GRID_SWEEP, space: { ...GRID_SWEEP.space, opt: { values: ['adam'] } } },
    }));
    const { page, errors } = await app.openPage(`#/runs/${sweep.parentRunId}`, { viewport: { width: 1360, height: 1000 } });
    const panel = page.getByTestId('sweep-panel');
    await panel.waitFor({ timeout: 20_000 });

    // Before any trial ends: all four listed, none best, the space as submitted.
    await expect.poll(() => panel.getByTestId('sweep-trial').count(), { timeout: 20_000 }).toBe(4);
    expect(await page.getByTestId('sweep-progress').textContent()).toBe('0 of 4 trials ended');
    expect(await page.getByTestId('sweep-best').textContent()).toBe('none yet');
    expect(await page.getByTestId('sweep-strategy').textContent()).toBe('grid');
    expect(await page.getByTestId('sweep-objective').textContent()).toBe('minimise val_loss');
    const spaceRows = page.getByTestId('sweep-space-row');
    expect(await spaceRows.allTextContents()).toEqual(['lr2 values0.1, 0.3', 'depthrange with step1 to 2, step 1 (whole numbers)', 'opt1 valueadam']);
    expect(await page.getByTestId('sweep-limits').textContent()).toBe('max trials 10parallel 2');
    // No trial has logged the objective: a sentence, not empty charts with made-up ticks.
    expect(await page.getByTestId('sweep-plots-empty').textContent()).toBe('No trial has logged val_loss yet: the plots appear when one does.');
    expect(await page.getByTestId('sweep-plot').count()).toBe(0);
    expect(await page.getByTestId('sweep-fixed-params').textContent()).toBe('Fixed (not plotted): opt = adam');
    await screenshotWhole(page, 'sweep-parent-waiting');

    // The trials end; the page follows without a reload and ranks them, lowest val_loss first.
    gate.open();
    const objectives = () => page.getByTestId('sweep-trial-objective').allTextContents();
    await expect.poll(objectives, { timeout: 60_000 }).toEqual(['0.8', '0.9', '1', '1.1']);
    await expect.poll(() => page.getByTestId('sweep-progress').textContent(), { timeout: 20_000 }).toBe('4 trials');
    const rows = page.getByTestId('sweep-trial');
    const first = rows.first();
    expect(await first.getAttribute('data-best')).toBe('true');
    expect(await first.locator('[data-param="lr"]').textContent()).toBe('0.3');
    expect(await first.locator('[data-param="depth"]').textContent()).toBe('1');
    expect(await first.textContent()).toMatch(/depth-lr #3\s*best/);
    expect(await rows.nth(3).textContent()).toMatch(/depth-lr #2.*finished/);
    // The grid's third trial (lr 0.3, depth 1) is the best, and the summary links to it.
    const bestRunId = sweep.jobs[2]!.runId;
    expect(await first.getAttribute('data-run-id')).toBe(bestRunId);
    const bestLink = page.getByTestId('sweep-best-link');
    expect(await bestLink.getAttribute('href')).toBe(`#/runs/${bestRunId}`);
    expect(await bestLink.textContent()).toBe('depth-lr #3 (0.8)');

    // One objective plot per swept param of more than one value, each drawn.
    const plots = page.getByTestId('sweep-plot');
    await expect.poll(() => plots.count(), { timeout: 20_000 }).toBe(2);
    expect(await plots.evaluateAll((els) => els.map((el) => el.getAttribute('data-param')))).toEqual(['lr', 'depth']);
    expect(await plots.locator('canvas').evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')))).toEqual(['val_loss against lr', 'val_loss against depth']);
    // A drawn chart (axes, dots) encodes to far more than a blank canvas of the same size.
    const drawn = await plots.locator('canvas').evaluateAll((els) => els.map((el) => (el as unknown as { toDataURL(): string }).toDataURL().length > 5000));
    expect(drawn).toEqual([true, true]);
    await screenshotWhole(page, 'sweep-parent');

    // The best trial's link opens its run.
    await bestLink.click();
    await expect.poll(() => page.url()).toMatch(new RegExp(`#/runs/${bestRunId}$`));
    await expect.poll(() => page.getByTestId('run-name').textContent(), { timeout: 20_000 }).toBe('depth-lr #3');
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the runs table of the sweep's experiment shows the swept params as columns, until the user picks others", { timeout: 60_000 }, async () => {
    expect(submitted, 'the sweep of the test above').toBeDefined();
    const experimentId = submitted!.jobs[0]!.experimentId;
    const { page, errors } = await app.openPage(`#/experiments/${experimentId}`, { viewport: { width: 1360, height: 700 } });
    const header = (id: string) => page.getByTestId(`sort-${id}`);
    await expect.poll(() => header('param.lr').count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => header('metric.val_loss').count(), { timeout: 20_000 }).toBe(1);
    // The swept params, then the objective, then the other metrics.
    const picked = await page.locator('[data-testid^="sort-param."], [data-testid^="sort-metric."]').evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')));
    expect(picked.slice(0, 3)).toEqual(['sort-param.lr', 'sort-param.depth', 'sort-metric.val_loss']);
    // A fixed param of the spec (epochs) is not swept: no column unless picked.
    expect(await header('param.epochs').count()).toBe(0);
    // Nor is one swept over a single value (opt): it is the same in every trial.
    expect(await header('param.opt').count()).toBe(0);
    // The parent and its four trials; each trial's row shows its swept values.
    await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 20_000 }).toBe(5);
    const bestRow = page.locator(`[data-testid="run-row"][data-run-id="${submitted!.jobs[2]!.runId}"]`);
    expect(await bestRow.locator('.cell-param').allTextContents()).toEqual(['0.3', '1']);
    await page.screenshot({ path: screenshotPath('sweep-runs-table') });

    // A pick of the user's own wins when the table opens again.
    const saved = JSON.stringify([{ kind: 'metric', key: 'acc' }]);
    await page.evaluate(`window.localStorage.setItem(${JSON.stringify(`orrery.runs.columns.${experimentId}`)}, ${JSON.stringify(saved)})`);
    await page.evaluate("window.location.hash = '#/experiments'");
    await page.getByTestId('experiment-row').first().waitFor({ timeout: 20_000 });
    await page.evaluate(`window.location.hash = '#/experiments/${experimentId}'`);
    await expect.poll(() => header('metric.acc').count(), { timeout: 20_000 }).toBe(1);
    expect(await header('param.lr').count()).toBe(0);
    expect(await header('metric.val_loss').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
