import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../../shared/contract/serving';
import { collectPageErrors, screenshotPath, screenshotWhole, useE2eApp } from '../helpers/e2e-fixture';
import { chromiumPath, dockerAvailable } from '../helpers/requirements';

const browserPath = chromiumPath();
const docker = browserPath ? await dockerAvailable() : false;
const SERVE_IMAGE = 'orrery/serve:local';

/** A python_function model with a custom loader: v1 adds the columns, the "broken" one raises on every row. */
const MLMODEL = `artifact_path: model
flavors:
  python_function:
    loader_module: adder
    code: code
    data: data
signature:
  inputs: '[{"type": "double", "name": "x", "required": true}, {"type": "double", "name": "y", "required": true}]'
  outputs: '[{"type": "double", "required": true}]'
`;
const LOADER = `import os


class Adder:
    def __init__(self, broken):
        self.broken = broken

    def predict(self, model_input, params=None):
        if self.broken:
            raise ValueError("this candidate is broken on purpose")
        return (model_input["x"] + model_input["y"]).tolist()


def _load_pyfunc(path):
    with open(os.path.join(path, "mode.txt")) as f:
        return Adder(f.read().strip() == "broken")
`;

function writeModel(root: string, mode: 'good' | 'broken'): string {
  const dir = path.join(root, `adder-${mode}`);
  fs.mkdirSync(path.join(dir, 'code'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'MLmodel'), MLMODEL);
  fs.writeFileSync(path.join(dir, 'code', 'adder.py'), LOADER);
  fs.writeFileSync(path.join(dir, 'data', 'mode.txt'), mode);
  return dir;
}

function serveImagePresent(): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', SERVE_IMAGE], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!browserPath || !docker)('Deployments in a real browser against npm run serve and real serving containers', () => {
  const app = useE2eApp(browserPath, { name: 'deployments' }, 60_000);
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-e2e-deploy-models-'));

  beforeAll(async () => {
    if (!serveImagePresent()) throw new Error(`${SERVE_IMAGE} is not built: run npm run images first`);
    await app.rpc('registry.registerFromFolder', { folder: writeModel(modelsDir, 'good'), name: 'adder', description: 'adds x and y' });
    await app.rpc('registry.registerFromFolder', { folder: writeModel(modelsDir, 'broken'), name: 'adder', description: 'raises on every row' });
  });

  afterAll(async () => {
    // Its containers go with it; the app's own close follows.
    await app.rpc('serving.deleteDeployment', { name: 'adder' }).catch(() => undefined);
    fs.rmSync(modelsDir, { recursive: true, force: true });
  });

  /** Sends requests through the stable URL until `stop` says so; the answers' versions are counted. */
  function sendTraffic(url: string): { stop(): Promise<void>; answered: Map<string, number> } {
    const answered = new Map<string, number>();
    let running = true;
    const loop = (async () => {
      let i = 0;
      while (running) {
        i++;
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ dataframe_records: [{ x: i, y: 0.5 }] }),
        }).catch(() => null);
        if (res) {
          await res.text();
          const key = `${res.headers.get('x-orrery-version')}:${res.status}`;
          answered.set(key, (answered.get(key) ?? 0) + 1);
        }
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    return {
      answered,
      async stop() {
        running = false;
        await loop;
      },
    };
  }

  async function openDeployments(page: Page): Promise<void> {
    await page.evaluate("window.location.hash = '#/deployments'");
    await page.getByRole('heading', { name: 'Deployments', level: 1 }).waitFor({ timeout: 20_000 });
  }

  it('deploys a version from the UI, starts a canary, and shows the live charts and the rollback decision', { timeout: 240_000 }, async () => {
    const page = await app.browser.newPage({ viewport: { width: 1360, height: 900 } });
    const errors = collectPageErrors(page, /status of 40\d/);
    await page.goto(app.serve.openUrl);
    await page.getByTestId('nav').waitFor();
    await page.getByTestId('nav').getByRole('button', { name: 'Deployments' }).click();
    await page.getByRole('heading', { name: 'Deployments', level: 1 }).waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByTestId('deployments-empty').textContent(), { timeout: 20_000 }).toMatch(/serves a registered model version on a stable URL/);

    // The create dialog checks fields before sending, and names what is wrong.
    await page.getByTestId('new-deployment').click();
    await page.getByTestId('create-deployment-dialog').waitFor();
    await page.getByLabel('Model', { exact: true }).fill('adder');
    await page.getByLabel('Version or @alias').fill('latest');
    await page.getByLabel('Replicas', { exact: true }).fill('0');
    await page.getByTestId('deploy-submit').click();
    await expect.poll(() => page.getByTestId('deploy-version-error').textContent()).toBe('Give a version number (3) or an alias (@champion).');
    await expect.poll(() => page.getByTestId('deploy-replicas-error').textContent()).toBe('Replicas must be 1–16.');
    // An unknown version is the server's to refuse: its message lands under the version field.
    await page.getByLabel('Version or @alias').fill('9');
    await page.getByLabel('Replicas', { exact: true }).fill('1');
    await page.getByTestId('deploy-submit').click();
    await expect.poll(() => page.getByTestId('deploy-version-error').textContent(), { timeout: 20_000 }).toMatch(/9/);
    await page.screenshot({ path: screenshotPath('deployments-create-invalid') });

    await page.getByLabel('Version or @alias').fill('1');
    await expect.poll(() => page.getByLabel('Deployment name').inputValue()).toBe('adder');
    await page.getByTestId('deploy-submit').click();

    // The deployment page: the stable URL, and the replica becomes ready.
    await page.getByTestId('deployment-page').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('deployment-status').textContent(), { timeout: 120_000 }).toBe('running');
    const deployment = await app.rpc<Deployment>('serving.getDeployment', { name: 'adder' });
    expect(deployment.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/invocations$/);
    expect(await page.getByTestId('deployment-url').textContent()).toContain(deployment.url);
    // Version 1 is not approved: the deployment says so.
    await expect.poll(() => page.getByTestId('deployment-unapproved').count()).toBe(1);

    // "Try it": the body starts from the signature, and the answer shows who answered.
    await expect.poll(() => page.getByLabel('JSON body').inputValue(), { timeout: 20_000 }).toContain('"dataframe_split"');
    await page.getByLabel('JSON body').fill('{"dataframe_records": [{"x": 2, "y": 3}]}');
    await page.getByTestId('try-send').click();
    await expect.poll(() => page.getByTestId('try-status').textContent(), { timeout: 20_000 }).toBe('200');
    expect(await page.getByTestId('try-answered-by').textContent()).toBe('answered by v1');
    expect(JSON.parse((await page.getByTestId('try-body-out').textContent()) ?? '')).toEqual({ predictions: [5] });

    // A canary to the broken version 2: two steps, judged on 10 requests, no minimum time.
    await page.getByTestId('open-rollout').click();
    await page.getByTestId('rollout-dialog').waitFor();
    await expect.poll(() => page.getByLabel('Version or @alias').inputValue(), { timeout: 10_000 }).toBe('2');
    await page.getByLabel('Steps (% of traffic)').fill('50, 10');
    await page.getByTestId('rollout-submit').click();
    await expect.poll(() => page.getByTestId('rollout-steps-error').textContent()).toBe('Steps must go up, like 10, 25, 50, 100.');
    await page.getByLabel('Steps (% of traffic)').fill('30, 100');
    await page.getByLabel('Minimum requests per step').fill('10');
    await page.getByLabel('Minimum time per step (s)').fill('0');
    await page.screenshot({ path: screenshotPath('deployments-rollout-dialog') });
    await page.getByTestId('rollout-submit').click();
    await page.getByTestId('rollout-dialog').waitFor({ state: 'detached', timeout: 60_000 });

    // With no traffic the canary waits for evidence and decides nothing.
    await expect.poll(() => page.getByTestId('rollout-state').textContent(), { timeout: 90_000 }).toBe('waiting for traffic');
    await expect.poll(() => page.getByTestId('traffic-segment').count(), { timeout: 20_000 }).toBe(2);
    await screenshotWhole(page, 'deployment-waiting-for-traffic');

    // Traffic through the stable URL: the charts fill and the analysis rolls the candidate back.
    const traffic = sendTraffic(deployment.url);
    try {
      await expect.poll(async () => Number(await page.getByTestId('chart-rps').getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(1);
      await expect.poll(() => page.getByTestId('rollout-state').textContent(), { timeout: 90_000 }).toBe('rolled back');
    } finally {
      await traffic.stop();
    }
    expect(traffic.answered.get('1:200') ?? 0).toBeGreaterThan(0);
    // The broken candidate answered some requests, with MLflow's 400 for an exception in predict.
    expect(traffic.answered.get('2:400') ?? 0).toBeGreaterThan(0);

    await expect.poll(() => page.getByTestId('rollout-decision').textContent(), { timeout: 20_000 }).toMatch(/^rollback: /);
    await expect.poll(() => page.locator('[data-testid="timeline-event"][data-kind="rollback"]').count(), { timeout: 20_000 }).toBe(1);
    const failed = page.locator('[data-testid="analysis-check"][data-check="error-rate"]');
    expect(await failed.getAttribute('data-passed')).toBe('false');
    // Back to stable: one segment, all of it version 1; no more buttons for an ended rollout.
    await expect.poll(() => page.getByTestId('traffic-segment').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByTestId('traffic-segment').getAttribute('data-version')).toBe('1');
    expect(await page.getByTestId('rollout-promote').count()).toBe(0);
    await expect.poll(async () => Number(await page.getByTestId('chart-errors').getAttribute('data-points'))).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('request-row').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await screenshotWhole(page, 'deployment-rolled-back');

    // Scale the stable version to two replicas (a count out of range is refused in the dialog).
    await page.getByTestId('open-scale').click();
    await page.getByLabel('Replicas of the stable version').fill('17');
    await page.getByTestId('scale-submit').click();
    await expect.poll(() => page.getByTestId('scale-replicas-error').textContent()).toBe('Replicas must be at most 16.');
    await page.getByLabel('Replicas of the stable version').fill('2');
    await page.getByTestId('scale-submit').click();
    await page.getByTestId('scale-dialog').waitFor({ state: 'detached', timeout: 60_000 });
    await expect.poll(() => page.locator('[data-testid="replica-row"][data-state="ready"]').count(), { timeout: 90_000 }).toBe(2);

    // The list shows it with its traffic and numbers; the model version page lists it and links to it.
    await openDeployments(page);
    await expect.poll(() => page.getByTestId('deployment-row').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByTestId('deployment-row-status').textContent()).toBe('running');
    // The rollout has ended: no rollout state, all traffic on version 1.
    expect(await page.getByTestId('deployment-row-rollout').count()).toBe(0);
    expect(await page.getByTestId('deployment-row').getByTestId('traffic-segment').getAttribute('data-version')).toBe('1');
    await page.screenshot({ path: screenshotPath('deployments-list') });

    await page.evaluate("window.location.hash = '#/models/adder/1'");
    await page.getByTestId('version-page').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByTestId('version-deployments').getByTestId('deployment-row').count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('lineage-deployment').count()).toBe(1);
    await screenshotWhole(page, 'version-page-deployments');

    // Delete, after a confirmation: the list is empty again and the URL no longer answers.
    await page.getByTestId('version-deployments').getByRole('link', { name: 'adder' }).click();
    await page.getByTestId('deployment-page').waitFor();
    await page.getByTestId('open-delete').click();
    await expect.poll(() => page.getByTestId('delete-dialog').textContent()).toContain(deployment.url);
    await page.getByTestId('delete-submit').click();
    await expect.poll(() => page.getByTestId('deployments-empty').count(), { timeout: 60_000 }).toBe(1);
    await expect.poll(async () => (await fetch(deployment.url, { method: 'POST', body: '{}' }).then(() => 'answered', () => 'refused')), { timeout: 20_000 }).toBe('refused');
    expect(errors).toEqual([]);
  });
});
