import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '../../shared/contract/monitoring';
import type { PipelineRunView } from '../../shared/contract/pipelines';
import { screenshotWhole, useE2eApp } from '../helpers/e2e-fixture';
import { chromiumPath } from '../helpers/requirements';

const browserPath = chromiumPath();

// validate fails unless mode.txt says "pass"; mode.txt is its dep, so changing it re-runs it.
const DVC_YAML = `stages:
  prepare:
    cmd: python3 -c "open('data.txt', 'w').write('1,2,3')"
    outs:
      - data.txt
  validate:
    cmd: python3 -c "import sys; ok = open('mode.txt').read().strip() == 'pass'; print('row 7 has no label', file=sys.stderr) if not ok else None; sys.exit(0 if ok else 4)"
    deps:
      - data.txt
      - mode.txt
`;

describe.skipIf(!browserPath)('a failing pipeline in the alerts inbox, in a real browser against npm run serve', () => {
  const app = useE2eApp(browserPath, { name: 'pipeline-alerts' });
  let project: string;
  let file: string;

  beforeAll(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-e2e-pipeline-alerts-'));
    fs.chmodSync(project, 0o755);
    file = path.join(project, 'dvc.yaml');
    fs.writeFileSync(file, DVC_YAML);
  });
  afterAll(() => {
    if (project) fs.rmSync(project, { recursive: true, force: true });
  });

  async function runToEnd(mode: 'fail' | 'pass'): Promise<PipelineRunView> {
    fs.writeFileSync(path.join(project, 'mode.txt'), mode);
    const started = await app.rpc<PipelineRunView>('pipelines.startRun', { file, runner: 'process' });
    let run = started;
    await expect
      .poll(
        async () => {
          run = await app.rpc<PipelineRunView>('pipelines.getRun', { runId: started.runId });
          return run.status;
        },
        { timeout: 60_000, interval: 200 },
      )
      .not.toBe('running');
    return run;
  }

  it('shows one alert per failing streak naming the pipeline and stage, linked to the run, acknowledged, then resolved by a passing run', { timeout: 180_000 }, async () => {
    const first = await runToEnd('fail');
    expect(first.status).toBe('failed');
    const { page, errors } = await app.openPage('#/alerts');
    const row = page.locator('[data-testid="inbox-table"] [data-testid="alert-row"][data-source="pipeline"]');
    await expect.poll(() => row.count(), { timeout: 20_000 }).toBe(1);
    expect(await row.getAttribute('data-state')).toBe('firing');
    const link = row.getByTestId('alert-pipeline-link');
    expect(await link.getAttribute('href')).toBe(`#/pipeline-runs/${first.runId}`);
    expect(await link.getAttribute('title')).toBe(file);
    expect(await row.getByTestId('alert-message').textContent()).toMatch(new RegExp(`failed at stage 'validate' \\(run ${first.runId}\\)`));
    // A pipeline alert has no rule to silence.
    expect(await row.getByTestId('alert-silence').count()).toBe(0);
    await expect.poll(() => page.getByTestId('alerts-badge').textContent(), { timeout: 20_000 }).toBe('1');

    // Failing again: the same alert, now pointing at the newer run; still one to attend to.
    const second = await runToEnd('fail');
    expect(second.status).toBe('failed');
    await expect.poll(() => row.getByTestId('alert-pipeline-link').getAttribute('href'), { timeout: 20_000 }).toBe(`#/pipeline-runs/${second.runId}`);
    expect(await row.textContent()).toContain('2 failures in a row');
    expect(await page.locator('[data-testid="inbox-table"] [data-testid="alert-row"]').count()).toBe(1);
    expect(await page.getByTestId('alerts-badge').textContent()).toBe('1');
    await screenshotWhole(page, 'H-alerts-pipeline-firing');

    await row.getByTestId('alert-acknowledge').click();
    await expect.poll(() => row.getAttribute('data-acknowledged'), { timeout: 20_000 }).toBe('true');
    await expect.poll(() => page.getByTestId('alerts-badge').count(), { timeout: 20_000 }).toBe(0);

    const third = await runToEnd('pass');
    expect(third.status).toBe('succeeded');
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 20_000 }).toBe('resolved');
    await screenshotWhole(page, 'H-alerts-pipeline-resolved');

    // The link opens the failed run.
    await row.getByTestId('alert-run-link').click();
    await page.getByTestId('pipeline-run-page').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByTestId('pipeline-run-status').textContent(), { timeout: 20_000 }).toBe('failed');
    expect(errors).toEqual([]);
  });

  it('a trigger whose run cannot start (the file became invalid) raises an alert that opens the pipeline', { timeout: 120_000 }, async () => {
    const data = path.join(project, 'incoming');
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'batch.csv'), 'a\n1\n');
    await app.rpc('pipelines.createTrigger', { file, trigger: { dataset: data } });
    fs.writeFileSync(file, 'stages:\n  train:\n    foreach: [a, b]\n    do:\n      cmd: echo x\n');
    const startFailures = async () => (await app.rpc<AlertView[]>('monitoring.listAlerts', { state: 'firing' })).filter((a) => a.pipeline?.runId === null);
    // New data until the watch (armed in the background, from the folder as it then was) sees a change.
    for (let i = 0; i < 20 && (await startFailures()).length === 0; i++) {
      fs.writeFileSync(path.join(data, 'batch.csv'), `a\n${i + 2}\n`);
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
    const [alert] = await startFailures();
    expect(alert?.message).toMatch(/^pipeline \S+ could not start \(.*\): .*foreach/);

    const { page, errors } = await app.openPage('#/alerts');
    const row = page.locator(`[data-testid="inbox-table"] [data-testid="alert-row"][data-alert="${alert!.id}"]`);
    await row.waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain('did not start');
    expect(await row.getByTestId('alert-run-link').textContent()).toBe('open the pipeline');
    expect(await row.getByTestId('alert-pipeline-link').getAttribute('href')).toBe(`#/pipelines/${encodeURIComponent(file)}`);
    await screenshotWhole(page, 'H-alerts-pipeline-start-failed');
    expect(errors).toEqual([]);
  });
});
