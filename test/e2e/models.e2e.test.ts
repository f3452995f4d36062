import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerRegistryAvailable, startDockerRegistry, type RunningRegistry } from '../helpers/docker-registry';
import { screenshotPath, screenshotWhole, useE2eApp } from '../helpers/e2e-fixture';
import { chromiumPath } from '../helpers/requirements';

const browserPath = chromiumPath();
const haveRegistry = browserPath ? dockerRegistryAvailable() : false;
const TOKEN = 'models-e2e-token';

const MLMODEL = `artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
    model_path: model.pkl
  sklearn:
    pickled_model: model.pkl
    sklearn_version: 1.4.2
signature:
  inputs: '[{"type": "double", "name": "sepal length (cm)", "required": true}, {"type": "double", "name": "petal width (cm)", "required": true}]'
`;

describe.skipIf(!browserPath || !haveRegistry)('Model registry UI in a real browser against npm run serve and a real OCI registry', () => {
  const app = useE2eApp(browserPath, { name: 'models', token: TOKEN });
  const { mlflow } = app;
  let registry: RunningRegistry;
  let runId: string;

  const putArtifact = (experimentId: string, file: string, body: string | Buffer) => app.putArtifact(experimentId, runId, file, body);

  const openPage = (hash: string) => app.openPage(hash, { expectedErrors: /status of 40\d/ });

  beforeAll(async () => {
    registry = await startDockerRegistry();
    const experimentId = (await mlflow<{ experiment_id: string }>('experiments/create', { name: 'iris' })).experiment_id;
    const { run } = await mlflow<{ run: { info: { run_id: string } } }>('runs/create', {
      experiment_id: experimentId,
      run_name: 'rf-depth-5',
      tags: [{ key: 'mlflow.source.git.commit', value: '3f9e2c1a7b' }],
    });
    runId = run.info.run_id;
    await mlflow('runs/log-batch', {
      run_id: runId,
      params: [
        { key: 'max_depth', value: '5' },
        { key: 'n_estimators', value: '200' },
      ],
      metrics: [
        { key: 'accuracy', value: 0.81, timestamp: 1, step: 0 },
        { key: 'accuracy', value: 0.953, timestamp: 2, step: 1 },
      ],
    });
    await mlflow('runs/log-inputs', {
      run_id: runId,
      datasets: [{ dataset: { name: 'iris-train', digest: 'a1b2c3d4e5f6', source_type: 'local', source: '/data/iris.csv' }, tags: [] }],
    });
    await putArtifact(experimentId, 'model/MLmodel', MLMODEL);
    await putArtifact(experimentId, 'model/model.pkl', Buffer.alloc(64 * 1024, 3));
    await putArtifact(experimentId, 'plots/confusion.txt', 'tp fp\nfn tn\n');
    await mlflow('runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('configures a remote, registers from a run, gates, approves, promotes, aliases, pushes with progress and pulls back', { timeout: 120_000 }, async () => {
    // Settings: the team's registry, with a refused plain-HTTP remote first.
    const { page, errors } = await openPage('#/settings');
    await page.getByTestId('add-remote').click();
    await page.getByLabel('Name').fill('team');
    await page.getByLabel('URL').fill('http://registry.example.com');
    await page.getByTestId('save-remote').click();
    await expect.poll(() => page.getByTestId('remote-url-error').textContent()).toMatch(/plain HTTP is allowed only for localhost/);
    await page.getByLabel('URL').fill(`http://${registry.host}`);
    await page.getByLabel('Repository prefix').fill('ml/models');
    await page.getByTestId('save-remote').click();
    await expect.poll(() => page.getByTestId('remotes-table').textContent()).toContain('ml/models');
    await page.screenshot({ path: screenshotPath('settings-remotes') });

    // Register from the run's "model" folder.
    await page.evaluate(`window.location.hash = '#/runs/${runId}'`);
    await page.getByTestId('register-model').click();
    const dialog = page.getByTestId('register-dialog');
    await expect.poll(() => dialog.getByLabel('Folder within the artifacts').inputValue()).toBe('model');
    await dialog.getByLabel('Model name').fill('iris');
    await page.screenshot({ path: screenshotPath('register-dialog') });
    await dialog.getByTestId('register-submit').click();
    await page.getByTestId('version-page').waitFor();
    await expect.poll(() => page.getByTestId('version-title').textContent()).toBe('iris v1');
    expect(await page.getByTestId('version-flavor').textContent()).toBe('mlflow (python_function, sklearn)');
    expect(await page.getByTestId('version-file').allTextContents()).toEqual([expect.stringContaining('MLmodel'), expect.stringContaining('model.pkl64.0 KiB')]);
    expect(await page.getByTestId('input-schema').textContent()).toContain('petal width (cm)');
    expect(await page.getByTestId('version-metrics').textContent()).toContain('0.953');
    expect(await page.getByTestId('open-push').isDisabled()).toBe(true);

    // Gates on the model page: a threshold the version passes, and a required file it has.
    await page.getByRole('link', { name: 'iris', exact: true }).click();
    await page.getByTestId('edit-gates').click();
    await page.getByTestId('add-gate').click();
    await page.getByLabel('Gate 1 metric').fill('accuracy');
    await page.getByLabel('Gate 1 threshold').fill('0.9');
    await page.getByTestId('add-gate').click();
    await page.getByLabel('Gate 2 kind').selectOption('required_file');
    await page.getByLabel('Gate 2 file').fill('MLmodel');
    await page.getByTestId('save-gates').click();
    await expect.poll(() => page.getByTestId('gate-list').textContent()).toBe('accuracy >= 0.9file MLmodel');
    await expect.poll(() => page.getByTestId('version-row').textContent()).toContain('gates passed');
    await page.getByRole('link', { name: 'v1', exact: true }).first().click();
    await expect.poll(() => page.getByTestId('gate-result').allTextContents()).toEqual(['passaccuracy >= 0.90.953', 'passfile MLmodelpresent']);

    // Production is refused until a reviewer approves.
    await page.getByTestId('stage-select').selectOption('Production');
    await page.getByTestId('stage-move').click();
    await expect.poll(() => page.getByTestId('stage-error').textContent()).toMatch(/no approved request for Production/);
    await page.getByTestId('request-comment').fill('best accuracy so far');
    await page.getByTestId('request-approval').click();
    await page.getByTestId('reviewer-input').fill('lead');
    await page.getByTestId('review-comment').fill('checked the confusion matrix');
    await page.getByTestId('approve').click();
    await expect.poll(() => page.getByTestId('approval-history').textContent()).toMatch(/approved.*approved by lead.*checked the confusion matrix/);
    await page.getByTestId('stage-select').selectOption('Production');
    await page.getByTestId('stage-move').click();
    await expect.poll(() => page.getByTestId('version-stage').textContent()).toBe('Production');
    await page.getByTestId('alias-input').fill('champion');
    await page.getByTestId('alias-add').click();
    await expect.poll(() => page.getByTestId('alias-chip').allTextContents()).toEqual(['@champion✕']);

    // Push to the configured remote, with progress, then see it in the lineage.
    await page.getByTestId('open-push').click();
    const push = page.getByTestId('push-dialog');
    await expect.poll(() => push.getByTestId('push-preview').textContent()).toBe(`${registry.host}/ml/models/iris:v1`);
    await push.getByTestId('push-submit').click();
    await expect.poll(() => push.getByTestId('push-result').textContent(), { timeout: 30_000 }).toMatch(/Pushed.*ml\/models\/iris:v1@sha256:[0-9a-f]{64}.*3 blobs uploaded, 0 already on the registry/);
    expect(await push.getByTestId('push-progress').textContent()).toContain('model.pkl');
    // Pushed: the dialog now says what was pushed, and cannot be edited into another reference.
    expect(await push.getByLabel('Tag').isDisabled()).toBe(true);
    expect(await push.getByLabel('Registry').isDisabled()).toBe(true);
    expect(await push.getByTestId('push-preview').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('push-dialog') });
    await push.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => page.getByTestId('lineage-push').textContent()).toContain(`${registry.host}/ml/models/iris:v1`);
    expect(await page.getByTestId('lineage-run').textContent()).toContain('rf-depth-5');
    expect(await page.getByTestId('lineage-dataset').textContent()).toContain('iris-train');
    await screenshotWhole(page, 'model-version');

    // Pull it back as another model: its lineage names the registry.
    await page.evaluate("window.location.hash = '#/models'");
    await page.getByTestId('pull-model').click();
    const pull = page.getByTestId('pull-dialog');
    await pull.getByLabel('Reference').fill(`${registry.host}/ml/models/iris:v9`);
    await pull.getByTestId('pull-submit').click();
    await expect.poll(() => pull.getByTestId('pull-error').textContent()).toMatch(/not found/);
    await pull.getByLabel('Reference').fill(`${registry.host}/ml/models/iris:v1`);
    // The refusal was about the reference typed before: editing it takes the message away.
    await expect.poll(() => pull.getByTestId('pull-error').count()).toBe(0);
    await pull.getByLabel('Register as model').fill('iris-mirror');
    await pull.getByTestId('pull-submit').click();
    await expect.poll(() => page.getByTestId('version-title').textContent(), { timeout: 30_000 }).toBe('iris-mirror v1');
    expect(await page.getByTestId('lineage-registry').textContent()).toContain(`${registry.host}/ml/models/iris:v1`);
    await screenshotWhole(page, 'model-pulled');

    // The same reference again: the dialog says which version already holds it, and nothing is added.
    await page.evaluate("window.location.hash = '#/models'");
    await page.getByTestId('pull-model').click();
    await pull.getByLabel('Reference').fill(`${registry.host}/ml/models/iris:v1`);
    await pull.getByLabel('Register as model').fill('iris-mirror');
    await pull.getByTestId('pull-submit').click();
    await expect.poll(() => pull.getByTestId('pull-error').textContent(), { timeout: 30_000 }).toMatch(/already pulled as version 1 of iris-mirror/);
    await page.screenshot({ path: screenshotPath('pull-already-pulled') });
    await page.keyboard.press('Escape');

    await page.evaluate("window.location.hash = '#/models'");
    await expect.poll(() => page.getByTestId('model-row').count()).toBe(2);
    expect(await page.getByTestId('models-table').textContent()).toMatch(/iris.*v1.*@champion → v1/);
    await page.screenshot({ path: screenshotPath('models-list') });

    // The version page in the dark theme (the OS preference).
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.evaluate("window.location.hash = '#/models/iris/1'");
    await expect.poll(() => page.getByTestId('lineage-push').count()).toBe(1);
    await screenshotWhole(page, 'model-version-dark');
    expect(errors).toEqual([]);
  });
});
