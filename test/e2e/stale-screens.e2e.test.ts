import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Plotted } from '../../renderer/src/charts/plotted-readout';
import type { Job } from '../../shared/contract/training';
import { screenshotPath, useE2eApp } from '../helpers/e2e-fixture';
import { chromiumPath } from '../helpers/requirements';
import { tempDir } from '../helpers/temp-dir';

const browserPath = chromiumPath();

// The job waits for this file, so the page is seen before the job ends, then follows it live.
const gateDir = tempDir('orrery-e2e-stale-gate-');
// World-readable: a job started by root runs as an unprivileged uid, which must see the gate.
fs.chmodSync(gateDir, 0o755);
const gate = path.join(gateDir, 'go');
const JOB = [
  'import os, time',
  // iter(f, True) calls f until it answers True: a wait loop in one line.
  `[time.sleep(0.05) for _ in iter(lambda: os.path.exists(${JSON.stringify(gate)}), True)]`,
  'open(os.path.join(os.environ["ORRERY_OUTPUTS_DIR"], "report.txt"), "w").write("accuracy 0.93\\n")',
].join('; ');

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: screenshotPath(`stale-${name}`), fullPage: true });
}

describe.skipIf(!browserPath)('Screens that follow changes made elsewhere, in a real browser against npm run serve', () => {
  // No engine at this DOCKER_HOST: the job runs as a plain process (image "host").
  const app = useE2eApp(browserPath, { name: 'stale', env: { DOCKER_HOST: `unix://${path.join(gateDir, 'no-docker.sock')}` } }, 60_000);

  it('fills the artifacts panel and the run status when a job ends, without a reload', { timeout: 90_000 }, async () => {
    const job = await app.rpc<Job>('training.submit', { spec: { name: 'writes-a-report', image: 'host', experiment: 'stale-e2e', command: ['python3', '-c', JOB] } });
    const { page, errors } = await app.openPage(`#/runs/${job.runId}`);
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 20_000 }).toBe('running');
    const list = page.getByTestId('artifact-list');
    await expect.poll(() => list.textContent()).toBe('No artifacts.');
    await page.evaluate('window.__notReloaded = true');

    fs.writeFileSync(gate, '');
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 30_000 }).toBe('finished');
    await expect.poll(() => list.textContent(), { timeout: 10_000 }).toMatch(/report\.txt/);
    await list.getByRole('button', { name: /report\.txt/ }).click();
    await expect.poll(() => page.getByTestId('artifact-preview').textContent()).toContain('accuracy 0.93');
    expect(await page.evaluate('window.__notReloaded')).toBe(true);
    await shot(page, 'artifacts-after-job');

    // The run began when the job did (not when it was queued) and ended with it: the jobs page and
    // the runs table show one duration.
    const ended = await app.rpc<Job>('training.getJob', { jobId: job.jobId });
    const tracked = await app.rpc<{ startTime: number; endTime: number }>('tracking.getRun', { runId: job.runId });
    expect([tracked.startTime, tracked.endTime]).toEqual([ended.startedAt, ended.endedAt]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('updates the audit log and the gates after registry changes made through the API', { timeout: 60_000 }, async () => {
    await app.rpc('registry.setGates', { name: 'watched', actor: 'ada', gates: [{ kind: 'metric', metric: 'accuracy', op: '>=', value: 0.9 }] });
    const { page, errors } = await app.openPage('#/models/watched');
    const entries = page.getByTestId('audit-entry');
    await expect.poll(() => entries.count(), { timeout: 20_000 }).toBe(2);
    expect(await page.getByTestId('gate-list').textContent()).toBe('accuracy >= 0.9');

    // A change from elsewhere (another window, the command line): a gate change has no version to announce.
    await app.rpc('registry.setGates', { name: 'watched', actor: 'grace', gates: [{ kind: 'required_file', path: 'MLmodel' }] });
    await expect.poll(() => entries.count(), { timeout: 10_000 }).toBe(3);
    expect(await entries.first().textContent()).toMatch(/grace.*gates\.set/);
    await expect.poll(() => page.getByTestId('gate-list').textContent()).toBe('file MLmodel');
    await shot(page, 'audit-log-live');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('edits tags on the run page, refuses a tag without =, and shows tags set elsewhere', { timeout: 60_000 }, async () => {
    const { experiment_id: experimentId } = await app.mlflow<{ experiment_id: string }>('experiments/create', { name: 'tags-e2e' });
    const { run } = await app.mlflow<{ run: { info: { run_id: string } } }>('runs/create', { experiment_id: experimentId, run_name: 'tagged', start_time: Date.now() });
    const runId = run.info.run_id;
    const { page, errors } = await app.openPage(`#/runs/${runId}`);
    const card = page.getByTestId('run-tags');
    await expect.poll(() => card.textContent(), { timeout: 20_000 }).toMatch(/No tags: add one below/);
    const input = page.getByTestId('run-tag-input');

    // Without '=', nothing is sent; the field says the form it expects, until it is edited.
    await input.fill('team');
    await page.getByTestId('run-tag-add').click();
    await expect.poll(() => page.getByTestId('run-tag-error').textContent()).toBe('Tag “team”: expected key=value (e.g. team=vision).');
    await shot(page, 'run-tags-refused');
    // Orrery's own tags are refused by name; they would pass for Orrery's word.
    await input.fill('orrery.x=1');
    await page.getByTestId('run-tag-add').click();
    await expect.poll(() => page.getByTestId('run-tag-error').textContent()).toMatch(/orrery\.\* tags are Orrery's own and are set by Orrery/);
    await card.screenshot({ path: screenshotPath('f2-run-tags-orrery-refused') });
    await input.fill('team=');
    await expect.poll(() => page.getByTestId('run-tag-error').count()).toBe(0);

    await input.fill('team=vision');
    await input.press('Enter');
    const row = page.locator('[data-testid="run-tag"][data-key="team"]');
    await expect.poll(() => row.textContent()).toMatch(/^teamvision/);
    expect(await input.inputValue()).toBe('');

    // Edit the value in place.
    await page.getByRole('button', { name: 'Edit tag team' }).click();
    await page.getByLabel('Value of tag team').fill('nlp');
    await page.getByLabel('Value of tag team').press('Enter');
    await expect.poll(() => row.textContent()).toMatch(/^teamnlp/);
    const stored = await fetch(`${app.origin}/api/2.0/mlflow/runs/get?run_id=${runId}`, { headers: { authorization: `Bearer ${app.token}` } });
    const tags = ((await stored.json()) as { run: { data: { tags: Array<{ key: string; value: string }> } } }).run.data.tags;
    expect(tags).toContainEqual({ key: 'team', value: 'nlp' });

    // A tag set by a script appears without a reload.
    await app.mlflow('runs/set-tag', { run_id: runId, key: 'dataset', value: 'imagenet-1k' });
    await expect.poll(() => page.locator('[data-testid="run-tag"][data-key="dataset"]').textContent(), { timeout: 10_000 }).toMatch(/imagenet-1k/);
    await shot(page, 'run-tags');

    // Delete one.
    await page.getByRole('button', { name: 'Delete tag team' }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('follows compared runs: a run that ends shows its last points, a rename and a new param show, without a reload', { timeout: 60_000 }, async () => {
    const { experiment_id: experimentId } = await app.mlflow<{ experiment_id: string }>('experiments/create', { name: 'compare-live-e2e' });
    const start = Date.now() - 60_000;
    const losses = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ key: 'loss', value: 1 / (from + i + 1), timestamp: start + (from + i) * 1000, step: from + i }));
    const ids: string[] = [];
    for (const [name, lr] of [['first', '0.1'], ['second', '0.3']] as const) {
      const { run } = await app.mlflow<{ run: { info: { run_id: string } } }>('runs/create', { experiment_id: experimentId, run_name: name, start_time: start });
      await app.mlflow('runs/log-batch', { run_id: run.info.run_id, params: [{ key: 'lr', value: lr }], metrics: losses(0, 5) });
      ids.push(run.info.run_id);
    }
    const [first, second] = ids as [string, string];
    const { page, errors } = await app.openPage(`#/compare?runs=${first},${second}`);
    await expect.poll(() => page.getByTestId('compare-page').getAttribute('data-painted'), { timeout: 20_000 }).toBe('true');
    const lossLines = async () => {
      const raw = await page.locator('[data-testid="metric-chart"][data-key="loss"]').getAttribute('data-plotted');
      return raw === null ? [] : (JSON.parse(raw) as Plotted).lines.map((l) => [l.label, l.points]);
    };
    await expect.poll(lossLines).toEqual([['first', 5], ['second', 5]]);
    const headers = () => page.getByTestId('params-diff').locator('thead th').allTextContents();
    expect(await headers()).toEqual(['Run', 'lr']);
    await page.evaluate('window.__notReloaded = true');

    // A script logs the last points of the first run and ends it under a new name; another param
    // of the second run differs from the first's.
    await app.mlflow('runs/log-batch', { run_id: first, metrics: losses(5, 8) });
    await app.mlflow('runs/update', { run_id: first, status: 'FINISHED', end_time: Date.now(), run_name: 'first-final' });
    await app.mlflow('runs/log-batch', { run_id: second, params: [{ key: 'seed', value: '7' }] });
    await expect.poll(lossLines, { timeout: 10_000 }).toEqual([['first-final', 8], ['second', 5]]);
    expect(await page.getByRole('list', { name: 'Runs' }).textContent()).toMatch(/^first-final.*second$/);
    await expect.poll(headers, { timeout: 10_000 }).toEqual(['Run', 'lr', 'seed']);
    expect(await page.evaluate('window.__notReloaded')).toBe(true);
    await shot(page, 'compare-followed');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('uses a second token pasted into the same tab, without a reload', { timeout: 120_000 }, async () => {
    const page = await app.browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(`${app.origin}/#token=not-the-token`);
    await expect.poll(() => page.getByTestId('token-page').textContent(), { timeout: 20_000 }).toMatch(/refused this access token.*paste it into this tab/);
    await shot(page, 'token-refused');
    await page.evaluate('window.__notReloaded = true');

    // As pasting the URL the server printed into the address bar does: only the hash changes.
    await page.evaluate(`window.location.hash = ${JSON.stringify(`token=${encodeURIComponent(app.token)}`)}`);
    await page.getByTestId('nav').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByTestId('token-page').count()).toBe(0);
    // The token left the address bar, and the app works on it: events too (a run made now is listed live).
    expect(await page.evaluate('window.location.hash')).not.toMatch(/token=/);
    expect(await page.evaluate('window.__notReloaded')).toBe(true);
    await page.evaluate("window.location.hash = '#/experiments'");
    await page.getByTestId('experiment-list').waitFor({ timeout: 20_000 });
    const { experiment_id: id } = await app.mlflow<{ experiment_id: string }>('experiments/create', { name: 'after-the-paste' });
    await app.mlflow('runs/create', { experiment_id: id, run_name: 'live', start_time: Date.now() });
    await expect.poll(() => page.getByTestId('experiment-list').textContent(), { timeout: 10_000 }).toContain('after-the-paste');
    expect(await page.evaluate('sessionStorage.getItem("orrery.token")')).toBe(app.token);
    await page.close();
  });
});
