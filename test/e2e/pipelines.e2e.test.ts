import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineRunView } from '../../shared/contract/pipelines';
import { screenshotPath, screenshotWhole, useE2eApp } from '../helpers/e2e-fixture';
import { chromiumPath } from '../helpers/requirements';

const browserPath = chromiumPath();

// Two dvc.yaml stages run as plain processes: prepare writes data.txt, train reads it and writes
// model.txt. Each sleeps a little, so the page is open while they are still on their way.
const DVC_YAML = `stages:
  prepare:
    cmd: python3 -c "import time; time.sleep(2); open('data.txt', 'w').write('1,2,3')"
    outs:
      - data.txt
  train:
    cmd: python3 -c "import time; time.sleep(2); open('model.txt', 'w').write(open('data.txt').read()[::-1])"
    deps:
      - data.txt
    outs:
      - model.txt
`;

// A stage that fails: what needs it never runs, and the failure is open on the run page.
const FAILING_YAML = `stages:
  fetch:
    cmd: python3 -c "open('raw.txt', 'w').write('x')"
    outs:
      - raw.txt
  clean:
    cmd: python3 -c "import sys; print('bad row 7', file=sys.stderr); sys.exit(3)"
    deps:
      - raw.txt
    outs:
      - clean.txt
  fit:
    cmd: python3 -c "open('fit.txt', 'w').write('never')"
    deps:
      - clean.txt
    outs:
      - fit.txt
`;

// A stage that would run for minutes, to be cancelled.
const SLOW_YAML = `stages:
  wait:
    cmd: python3 -c "import time; time.sleep(300); open('waited.txt', 'w').write('done')"
    outs:
      - waited.txt
  after:
    cmd: python3 -c "open('after.txt', 'w').write('ran')"
    deps:
      - waited.txt
    outs:
      - after.txt
`;

// DVC's templating is refused by name, never ignored.
const TEMPLATED_YAML = `stages:
  train:
    foreach: [a, b]
    do:
      cmd: echo \${item}
`;

async function nodeStatuses(page: Page): Promise<Record<string, string>> {
  const nodes = page.getByTestId('dag-node');
  const out: Record<string, string> = {};
  for (const node of await nodes.all()) out[(await node.getAttribute('data-stage'))!] = (await node.getAttribute('data-status'))!;
  return out;
}

describe.skipIf(!browserPath)('Pipelines screens in a real browser against npm run serve', () => {
  const app = useE2eApp(browserPath, { name: 'pipelines' });
  let project: string;
  let file: string;
  let templated: string;
  let failing: string;
  let slow: string;

  beforeAll(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-e2e-pipeline-'));
    // As a project folder usually is: the jobs (another uid) pass through it to the nested pipelines.
    fs.chmodSync(project, 0o755);
    file = path.join(project, 'dvc.yaml');
    fs.writeFileSync(file, DVC_YAML);
    fs.mkdirSync(path.join(project, 'templated'));
    templated = path.join(project, 'templated', 'dvc.yaml');
    fs.writeFileSync(templated, TEMPLATED_YAML);
    fs.mkdirSync(path.join(project, 'failing'));
    failing = path.join(project, 'failing', 'dvc.yaml');
    fs.writeFileSync(failing, FAILING_YAML);
    fs.mkdirSync(path.join(project, 'slow'));
    slow = path.join(project, 'slow', 'dvc.yaml');
    fs.writeFileSync(slow, SLOW_YAML);
  });

  afterAll(() => {
    if (project) fs.rmSync(project, { recursive: true, force: true });
  });

  it('runs a dvc.yaml from the app, watches its DAG go green live, then a second run is all cached', { timeout: 180_000 }, async () => {
    const { page, errors } = await app.openPage('#/pipelines', { expectedErrors: /status of 400/ });

    // A newcomer sees how to start; an invalid file is refused with the key it names.
    await page.getByTestId('pipelines-empty').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('pipelines-empty').textContent()).toContain('orrery pipeline run FILE');
    await page.getByLabel('Pipeline file').fill(templated);
    await page.getByTestId('run-pipeline-submit').click();
    await expect.poll(() => page.getByTestId('run-pipeline-file-error').textContent(), { timeout: 20_000 }).toMatch(/foreach/);
    await screenshotWhole(page, 'pipelines-empty');

    // The real file, its stages as plain processes: the page moves to the new run by itself.
    await page.getByLabel('Pipeline file').fill(file);
    await page.getByTestId('run-pipeline-process').check();
    await page.evaluate('window.__samePage = true');
    await page.getByTestId('run-pipeline-submit').click();
    await page.getByTestId('pipeline-run-page').waitFor({ timeout: 20_000 });
    await page.getByTestId('pipeline-dag').waitFor();
    const firstRunId = decodeURIComponent(page.url().split('#/pipeline-runs/')[1] ?? '');
    expect(firstRunId).not.toBe('');

    // Laid out by depth: prepare left of train, one edge between them.
    const box = async (stage: string) => (await page.locator(`[data-testid="dag-node"][data-stage="${stage}"]`).boundingBox())!;
    expect((await box('prepare')).x).toBeLessThan((await box('train')).x);
    expect(await page.getByTestId('dag-edge').evaluateAll((edges) => edges.map((e) => `${e.getAttribute('data-from')}>${e.getAttribute('data-to')}`))).toEqual([
      'prepare>train',
    ]);

    // Not done at first; then, from the run's events alone, both go green.
    const seen = new Set<string>();
    const first = await nodeStatuses(page);
    expect(first.train).not.toBe('succeeded');
    await page.screenshot({ path: screenshotPath('pipeline-run-live') });
    await expect
      .poll(
        async () => {
          const now = await nodeStatuses(page);
          for (const status of Object.values(now)) seen.add(status);
          return now;
        },
        { timeout: 90_000, interval: 100 },
      )
      .toEqual({ prepare: 'succeeded', train: 'succeeded' });
    expect([...seen].some((s) => s === 'running' || s === 'pending')).toBe(true);
    await expect.poll(() => page.getByTestId('pipeline-run-status').textContent()).toBe('succeeded');
    expect(await page.evaluate('window.__samePage')).toBe(true);
    expect(fs.readFileSync(path.join(project, 'model.txt'), 'utf8')).toBe('3,2,1');

    // A stage opens its panel: status, key, and its job's run (with the log) one click away.
    await page.locator('[data-testid="dag-node"][data-stage="train"]').click();
    const panel = page.getByTestId('stage-panel');
    await expect.poll(() => panel.getByTestId('stage-status').textContent()).toBe('succeeded');
    expect(await panel.getByTestId('stage-key').textContent()).toMatch(/^[0-9a-f]{16}$/);
    expect(await panel.getByTestId('stage-run-link').getAttribute('href')).toMatch(/^#\/runs\/[0-9a-f]{32}$/);
    await screenshotWhole(page, 'pipeline-run');
    await panel.getByTestId('stage-run-link').click();
    await page.getByTestId('run-page').waitFor();
    await page.goBack();

    // The pipeline's page: the run in its history, "Run now" keeps the process runner; nothing changed, so all cached.
    await page.evaluate(`window.location.hash = ${JSON.stringify(`#/pipelines/${encodeURIComponent(file)}`)}`);
    await expect.poll(() => page.getByTestId('pipeline-run-row').count(), { timeout: 20_000 }).toBe(1);
    await page.getByTestId('pipeline-run-now').click();
    await expect.poll(() => page.url(), { timeout: 20_000 }).not.toContain(firstRunId);
    await page.getByTestId('pipeline-dag').waitFor();
    await expect.poll(() => nodeStatuses(page), { timeout: 60_000, interval: 100 }).toEqual({ prepare: 'cached', train: 'cached' });
    expect(await page.getByTestId('dag-cached').count()).toBe(2);
    await expect.poll(() => page.getByTestId('pipeline-run-status').textContent()).toBe('succeeded');
    await screenshotWhole(page, 'pipeline-run-cached');

    // Triggers: a bad cron is refused on its field; a good one is listed with its next time, and removed.
    await page.evaluate(`window.location.hash = ${JSON.stringify(`#/pipelines/${encodeURIComponent(file)}`)}`);
    await expect.poll(() => page.getByTestId('pipeline-run-row').count(), { timeout: 20_000 }).toBe(2);
    await page.getByLabel('Cron expression').fill('every tuesday');
    await page.getByTestId('add-trigger').click();
    await expect.poll(() => page.getByTestId('trigger-value-error').textContent(), { timeout: 20_000 }).not.toBe('');
    await page.getByLabel('Cron expression').fill('0 3 * * *');
    await page.getByTestId('add-trigger').click();
    await expect.poll(() => page.getByTestId('trigger-row').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByTestId('trigger-row').textContent()).toMatch(/schedule0 3 \* \* \*added\s*in /);
    await screenshotWhole(page, 'pipeline-page');

    // The list: the pipeline, its dialect, last run, next trigger.
    await page.evaluate("window.location.hash = '#/pipelines'");
    const row = page.getByTestId('pipeline-row');
    await row.waitFor({ timeout: 20_000 });
    await screenshotWhole(page, 'pipelines-list');
    expect(await row.getByTestId('pipeline-dialect').textContent()).toBe('dvc.yaml');
    expect(await row.getByTestId('pipeline-file').getAttribute('title')).toBe(file);
    expect(await row.getByTestId('pipeline-last-status').textContent()).toBe('succeeded');
    expect(await row.getByTestId('pipeline-next-trigger').textContent()).toMatch(/^in /);
    expect(await row.getByTestId('pipeline-trigger-count').textContent()).toBe('1');

    // Removing the added trigger leaves the pipeline manual again.
    await page.evaluate(`window.location.hash = ${JSON.stringify(`#/pipelines/${encodeURIComponent(file)}`)}`);
    await page.getByTestId('remove-trigger').click();
    await expect.poll(() => page.getByTestId('trigger-row').count()).toBe(0);
    const runs = await app.rpc<PipelineRunView[]>('pipelines.listRuns', { file });
    expect(runs.map((r) => r.stages.map((s) => s.status))).toEqual([
      ['cached', 'cached'],
      ['succeeded', 'succeeded'],
    ]);
    expect(errors).toEqual([]);
  });

  it('stops at a failing stage: its dependents are skipped and the failure opens with its job run linked', { timeout: 120_000 }, async () => {
    const started = await app.rpc<PipelineRunView>('pipelines.startRun', { file: failing, runner: 'process' });
    const { page, errors } = await app.openPage(`#/pipeline-runs/${started.runId}`);
    await expect.poll(() => page.getByTestId('pipeline-run-status').textContent(), { timeout: 60_000 }).toBe('failed');
    await expect.poll(() => nodeStatuses(page)).toEqual({ fetch: 'succeeded', clean: 'failed', fit: 'skipped' });
    expect(fs.existsSync(path.join(project, 'failing', 'fit.txt'))).toBe(false);
    expect(await page.getByTestId('pipeline-run-error').textContent()).toContain('clean');
    // Nobody picked a stage: the failed one is open.
    const panel = page.getByTestId('stage-panel');
    expect(await panel.getByRole('heading').textContent()).toBe('Stage clean');
    expect(await panel.getByTestId('stage-status').textContent()).toBe('failed');
    expect(await panel.getByTestId('stage-run-link').getAttribute('href')).toMatch(/^#\/runs\/[0-9a-f]{32}$/);
    expect(await page.getByTestId('pipeline-cancel').count()).toBe(0);
    await screenshotWhole(page, 'pipeline-run-failed');
    expect(errors).toEqual([]);
  });

  it('cancels a running pipeline from its run page', { timeout: 120_000 }, async () => {
    const started = await app.rpc<PipelineRunView>('pipelines.startRun', { file: slow, runner: 'process' });
    const { page, errors } = await app.openPage(`#/pipeline-runs/${started.runId}`);
    await expect.poll(() => nodeStatuses(page), { timeout: 60_000 }).toMatchObject({ wait: 'running' });
    await page.getByTestId('pipeline-cancel').click();
    await page.getByTestId('cancel-pipeline-submit').click();
    await expect.poll(() => page.getByTestId('pipeline-run-status').textContent(), { timeout: 60_000 }).toBe('cancelled');
    await expect.poll(async () => (await nodeStatuses(page)).wait).toBe('cancelled');
    // What needed it never started.
    expect(['skipped', 'cancelled']).toContain((await nodeStatuses(page)).after);
    expect(await page.getByTestId('pipeline-cancel').count()).toBe(0);
    expect(fs.existsSync(path.join(project, 'slow', 'after.txt'))).toBe(false);
    expect(errors).toEqual([]);
  });
});
