import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView, MonitorView } from '../../../shared/contract/monitoring';
import type { PipelineRunView, StageRunStatus } from '../../../shared/contract/pipelines';
import type { RegisteredModel } from '../../../shared/contract/registry';
import type { Deployment } from '../../../shared/contract/serving';
import { orrery } from '../../helpers/run-orrery';
import { removeReplicaContainers, score, startServingServer, until, type ServingServer } from '../../helpers/serving-server';
import { ENDED, getDeployment, servingReady } from '../serving/serving-fixture';

/**
 * The example pipeline (resources/examples/orrery.pipeline.yaml) on a copy of its folder, run by
 * the built app in its own process with real containers: prepare → validate → train → evaluate →
 * register → deploy up to a deployment, then a canary of each new version; all cached when
 * nothing changed; one changed dep re-running only its stage and what follows; a failing evaluate
 * stopping before the registry; `from`; a drift alert on the deployment starting the pipeline; and
 * a restart of the app mid-pipeline. The steps build on each other (versions 1, 2, … of `digits`).
 */
const EXAMPLES = path.resolve(import.meta.dirname, '../../../resources/examples');
const EXAMPLE_FILES = ['orrery.pipeline.yaml', 'prepare_digits.py', 'digits_sgd.py', '.gitignore'];
const STAGES = ['prepare', 'validate', 'train', 'evaluate', 'register', 'deploy'];
const execFileAsync = promisify(execFile);

describe.skipIf(!servingReady)('the example pipeline, end to end (real containers, the built app)', () => {
  let root: string;
  let dataDir: string;
  let work: string;
  let file: string;
  let server: ServingServer;
  const jobIds = new Set<string>();

  const call = <T>(method: string, input: unknown = {}) => server.call<T>(method, input);
  const getRun = (runId: string) => call<PipelineRunView>('pipelines.getRun', { runId });
  const ended = (runId: string) =>
    until(
      `pipeline run ${runId} to end`,
      async () => {
        const run = await getRun(runId);
        for (const stage of run.stages) if (stage.jobId) jobIds.add(stage.jobId);
        return run.status === 'running' ? undefined : run;
      },
      300_000,
      250,
    );
  const runPipeline = async (options: Record<string, unknown> = {}) => ended((await call<PipelineRunView>('pipelines.startRun', { file, ...options })).runId);
  const statuses = (run: PipelineRunView): Record<string, StageRunStatus> => Object.fromEntries(run.stages.map((s) => [s.name, s.status]));
  const stage = (run: PipelineRunView, name: string) => run.stages.find((s) => s.name === name)!;
  const versions = async () => (await call<RegisteredModel>('registry.getModel', { name: 'digits' })).versions.map((v) => v.version).sort((a, b) => a - b);
  /** data/current.csv as the model takes it: the pixel columns (without `target`), scaled to 0..1 as in training. */
  const current = () => {
    const [header, ...lines] = fs.readFileSync(path.join(work, 'data/current.csv'), 'utf8').trim().split('\n');
    const columns = header!.split(',').slice(0, -1);
    return { columns, rows: lines.map((line) => line.split(',').slice(0, -1).map((v) => Number(v) / 16)) };
  };
  /** Replaces text the example file must hold (so a reworded example fails here, not silently). */
  const edit = (name: string, from: string, to: string) => {
    const at = path.join(work, name);
    const text = fs.readFileSync(at, 'utf8');
    expect(text, `${name} holds ${from}`).toContain(from);
    fs.writeFileSync(at, text.replace(from, to));
  };
  const expectCanaryOf = async (version: number, from: number) => {
    const deployment = await getDeployment(server, 'digits');
    expect(deployment.rollout, JSON.stringify(deployment.rollout)).toMatchObject({ strategy: 'canary', fromVersion: from, toVersion: version });
    expect(ENDED).not.toContain(deployment.rollout!.state);
  };
  /** Ends a canary by promoting it, so the next new version can start one of its own. */
  const promote = async (version: number) => {
    // Refused while the candidate is still starting: asked again until it can be.
    await until(`the canary of version ${version} to be promoted`, () => call<Deployment>('serving.promoteRollout', { name: 'digits', actor: 'tester' }), 120_000, 500);
    await until(`version ${version} to be stable`, async () => {
      const deployment = await getDeployment(server, 'digits');
      return deployment.rollout?.state === 'promoted' && deployment.versions.some((v) => v.role === 'stable' && v.version === version) ? deployment : undefined;
    }, 120_000, 250);
  };

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-example-pipeline-'));
    fs.chmodSync(root, 0o755);
    dataDir = path.join(root, 'data');
    work = path.join(root, 'examples');
    fs.mkdirSync(work);
    for (const name of EXAMPLE_FILES) fs.copyFileSync(path.join(EXAMPLES, name), path.join(work, name));
    // Run as root, Orrery gives the stages an unprivileged uid: they write data/ into the folder.
    fs.chmodSync(work, 0o777);
    file = path.join(work, 'orrery.pipeline.yaml');
    server = await startServingServer(dataDir);
  }, 120_000);

  afterAll(async () => {
    await server?.stop().catch(() => undefined);
    if (dataDir) await removeReplicaContainers(dataDir);
    // A job the restart test left, or one a failure left running.
    for (const jobId of jobIds) {
      const { stdout } = await execFileAsync('docker', ['ps', '-aq', '--filter', `label=dev.orrery.job-id=${jobId}`]).catch(() => ({ stdout: '' }));
      const ids = stdout.split('\n').filter(Boolean);
      if (ids.length > 0) await execFileAsync('docker', ['rm', '-f', ...ids]).catch(() => undefined);
    }
    if (root) fs.rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it('the first run goes from the data to a new deployment serving version 1, which answers', async () => {
    const run = await runPipeline();
    expect(run.error).toBeNull();
    expect(run).toMatchObject({ name: 'digits', status: 'succeeded', reason: { kind: 'manual' } });
    expect(statuses(run)).toEqual(Object.fromEntries(STAGES.map((name) => [name, 'succeeded'])));
    // The pixels that are not blank in (almost) every image, and the label.
    const { columns, rows } = current();
    expect(columns).toHaveLength(54);
    expect(columns.every((c) => /^pixel_[0-7]_[0-7]$/.test(c))).toBe(true);
    expect(stage(run, 'validate').message).toMatch(/^no drift \(\d of 55 columns drifted/);
    // No version in Production yet: the beat gate passes, and says why.
    expect(stage(run, 'evaluate').log).toContain('beat digits in Production: there is none yet, so this gate passes');
    expect(stage(run, 'evaluate').log.some((line) => /^val_acc >= 0\.9: passed \(0\.9\d*\)$/.test(line))).toBe(true);
    expect(stage(run, 'register').model).toEqual({ name: 'digits', version: 1 });
    expect(stage(run, 'register').runId).toBe(stage(run, 'train').runId);
    expect(stage(run, 'deploy')).toMatchObject({ deployment: 'digits', message: 'deployment digits created with version 1' });

    const deployment = await getDeployment(server, 'digits');
    expect(deployment.versions.map((v) => [v.version, v.role])).toEqual([[1, 'stable']]);
    expect(deployment.unapproved).toBe(false);
    const answer = await until('the deployment to answer', async () => {
      const result = await score(deployment.url, JSON.stringify({ dataframe_split: { columns, data: rows.slice(0, 5) } }));
      return result.status === 200 ? result : undefined;
    }, 60_000, 500);
    expect((JSON.parse(answer.body) as { predictions: number[] }).predictions).toHaveLength(5);
  }, 360_000);

  it('a second run with nothing changed (orrery pipeline run --wait) is all cached: no new version, the deployment untouched', async () => {
    const cli = await orrery(['pipeline', 'run', 'orrery.pipeline.yaml', '--wait', '--data-dir', dataDir], { cwd: work });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^Pipeline digits succeeded after \d+:\d\d: 0 ran, 6 cached; run \S+$/m);
    const run = (await call<PipelineRunView | null>('pipelines.getLatestRun', { file }))!;
    expect(run.status).toBe('succeeded');
    expect(statuses(run)).toEqual(Object.fromEntries(STAGES.map((name) => [name, 'cached'])));
    expect(run.stages.every((s) => s.cached && s.jobId === null)).toBe(true);
    expect(stage(run, 'register').model).toEqual({ name: 'digits', version: 1 });
    expect(await versions()).toEqual([1]);
    const after = await getDeployment(server, 'digits');
    expect(after.versions.map((v) => [v.version, v.role])).toEqual([[1, 'stable']]);
    expect(after.rollout).toBeNull();
  }, 120_000);

  it('a changed param of train re-runs train and what follows, ending in a canary of version 2', async () => {
    edit('orrery.pipeline.yaml', 'alpha: 0.0001', 'alpha: 0.0002');
    const run = await runPipeline();
    expect(run.error).toBeNull();
    expect(statuses(run)).toEqual({ prepare: 'cached', validate: 'cached', train: 'succeeded', evaluate: 'succeeded', register: 'succeeded', deploy: 'succeeded' });
    expect(stage(run, 'register').model).toEqual({ name: 'digits', version: 2 });
    expect(stage(run, 'deploy').message).toBe('canary of version 2 started');
    await expectCanaryOf(2, 1);
    await promote(2);
  }, 360_000);

  it('a changed dep (the training script) re-runs only its stage and those after it', async () => {
    fs.appendFileSync(path.join(work, 'digits_sgd.py'), '\n# a comment: new bytes, same training\n');
    const run = await runPipeline();
    expect(run.error).toBeNull();
    expect(statuses(run)).toEqual({ prepare: 'cached', validate: 'cached', train: 'succeeded', evaluate: 'succeeded', register: 'succeeded', deploy: 'succeeded' });
    expect(stage(run, 'register').model).toEqual({ name: 'digits', version: 3 });
    await expectCanaryOf(3, 2);
    await promote(3);
  }, 360_000);

  it('a failing evaluate stops the run before register: no new version, the deployment untouched', async () => {
    const before = await getDeployment(server, 'digits');
    edit('orrery.pipeline.yaml', 'val_acc: ">= 0.9"', 'val_acc: ">= 0.999"');
    let run: PipelineRunView;
    try {
      run = await runPipeline();
    } finally {
      edit('orrery.pipeline.yaml', 'val_acc: ">= 0.999"', 'val_acc: ">= 0.9"');
    }
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/^stage 'evaluate' failed: evaluation failed: val_acc >= 0\.999: it is 0\.9\d*/);
    // Editing one stage's gate re-keys that stage alone.
    expect(statuses(run)).toEqual({ prepare: 'cached', validate: 'cached', train: 'cached', evaluate: 'failed', register: 'skipped', deploy: 'skipped' });
    expect(stage(run, 'register').message).toBe("not run: 'evaluate' did not succeed");
    expect(await versions()).toEqual([1, 2, 3]);
    const after = await getDeployment(server, 'digits');
    expect(after.versions.map((v) => [v.version, v.role])).toEqual(before.versions.map((v) => [v.version, v.role]));
    expect(after.rollout).toMatchObject({ rolloutId: before.rollout!.rolloutId, state: 'promoted', toVersion: 3 });
  }, 240_000);

  it('from train: prepare and validate are reused, train runs again, and evaluate compares with Production', async () => {
    await call('registry.setStage', { name: 'digits', version: 3, stage: 'Production', actor: 'tester' });
    const last = await call<PipelineRunView>('pipelines.getLatestRun', { file });
    const run = await runPipeline({ from: 'train' });
    expect(run.error).toBeNull();
    expect(statuses(run)).toEqual({ prepare: 'cached', validate: 'cached', train: 'succeeded', evaluate: 'succeeded', register: 'succeeded', deploy: 'succeeded' });
    expect(stage(run, 'prepare').key).toBe(stage(last, 'prepare').key);
    expect(stage(run, 'train').runId).not.toBe(stage(last, 'train').runId);
    // The same data and params train the same model: it ties with version 3, which Δ 0 lets pass.
    expect(stage(run, 'evaluate').log.some((line) => /^beat digits in Production \(version 3\) by 0 on val_acc: (0\.\d+) against \1 — passed$/.test(line))).toBe(true);
    expect(stage(run, 'register').model).toEqual({ name: 'digits', version: 4 });
    await expectCanaryOf(4, 3);
    await promote(4);
  }, 360_000);

  it("a drift alert on the deployment starts the pipeline (the file's alert trigger), which ends in a canary of the new version", async () => {
    const triggers = await call<Array<{ kind: string; target: string; source: string }>>('pipelines.listTriggers', { file });
    expect(triggers).toEqual([expect.objectContaining({ kind: 'alert', target: 'digits', source: 'file' })]);
    const deployment = await getDeployment(server, 'digits');
    const { columns, rows } = current();
    /** Sends `count` requests of 50 rows; shifted rows are the images inverted. */
    const send = async (count: number, shifted: boolean, offset: number) => {
      for (let i = 0; i < count; i++) {
        const data = rows.slice((offset + i) * 50, (offset + i + 1) * 50).map((row) => (shifted ? row.map((v) => 1 - v) : row));
        const result = await score(deployment.url, JSON.stringify({ dataframe_split: { columns, data } }));
        expect(result.status, result.body).toBe(200);
      }
    };
    await call<MonitorView>('monitoring.setReference', { deployment: 'digits', source: { kind: 'requests', count: 300 }, windowRequests: 300, actor: 'tester' });
    await send(6, false, 0);
    await until('the reference to be built', async () => ((await call<MonitorView>('monitoring.getMonitor', { deployment: 'digits' })).state === 'watching' ? true : undefined), 60_000, 200);
    // The file changed in the meantime (more epochs), so the retrained model is a new version, and
    // a better one: evaluate still compares it with version 3 in Production.
    edit('orrery.pipeline.yaml', 'epochs: 5', 'epochs: 8');
    const before = (await call<PipelineRunView[]>('pipelines.listRuns', { file })).length;
    await send(6, true, 6);
    const firing = await until('the drift alert to fire', async () => {
      const alerts = await call<AlertView[]>('monitoring.listAlerts', { deployment: 'digits', state: 'firing' });
      return alerts.some((a) => a.metric === 'dataset_drift') ? alerts : undefined;
    }, 60_000, 250);
    expect(firing.map((a) => a.metric)).toContain('dataset_drift');
    const started = await until('the alert to start a pipeline run', async () => {
      const runs = await call<PipelineRunView[]>('pipelines.listRuns', { file });
      return runs.length > before ? runs[0] : undefined;
    }, 30_000, 250);
    expect(started.reason.kind).toBe('alert');
    expect(started.reason.detail).toMatch(/digits/);
    const run = await ended(started.runId);
    expect(run.error).toBeNull();
    expect(statuses(run)).toEqual({ prepare: 'cached', validate: 'cached', train: 'succeeded', evaluate: 'succeeded', register: 'succeeded', deploy: 'succeeded' });
    expect(stage(run, 'register').model).toEqual({ name: 'digits', version: 5 });
    await expectCanaryOf(5, 4);
    await call('monitoring.deleteMonitor', { deployment: 'digits', actor: 'tester' });
    await promote(5);
  }, 360_000);

  it('a restart mid-pipeline resumes: finished stages are not redone, the running train job is followed again', async () => {
    const started = await call<PipelineRunView>('pipelines.startRun', { file, forceStages: ['train'] });
    const midway = await until('the train job to start', async () => {
      const run = await getRun(started.runId);
      return stage(run, 'train').jobId !== null ? run : undefined;
    }, 120_000, 100);
    const jobId = stage(midway, 'train').jobId!;
    jobIds.add(jobId);
    expect(statuses(midway)).toMatchObject({ prepare: 'cached', validate: 'cached', train: 'running', evaluate: 'pending' });
    // Closing the app (SIGTERM) while the job runs; then opening it again on the same data dir.
    await server.stop();
    server = await startServingServer(dataDir);
    const run = await ended(started.runId);
    expect(run.error).toBeNull();
    expect(statuses(run)).toEqual({ prepare: 'cached', validate: 'cached', train: 'succeeded', evaluate: 'succeeded', register: 'succeeded', deploy: 'succeeded' });
    for (const name of ['prepare', 'validate']) expect(stage(run, name), name).toMatchObject({ startedAt: stage(midway, name).startedAt, endedAt: stage(midway, name).endedAt });
    // The same job, followed again: not submitted a second time.
    expect(stage(run, 'train').jobId).toBe(jobId);
    expect(stage(run, 'train').startedAt).toBe(stage(midway, 'train').startedAt);
    expect(stage(run, 'register').model).toEqual({ name: 'digits', version: 6 });
    await expectCanaryOf(6, 5);
    await call('serving.deleteDeployment', { name: 'digits', actor: 'tester' });
  }, 360_000);
});
