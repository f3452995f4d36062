import { describe, expect, it } from 'vitest';
import type { PipelineRunView, PipelineSummary, StageRunView, TriggerView } from '../../shared/contract/pipelines';
import {
  cancelledText,
  linksText,
  notSucceededText,
  pipelinesTableText,
  runStatusText,
  stageChangeText,
  startedText,
  succeededText,
  triggerAddedText,
  triggersTableText,
} from '../../electron/cli/pipeline-output';
import { stageRunView } from '../fakes/stage-run-view';

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);
const RUN = 'r'.repeat(32);
const JOB = 'j'.repeat(32);
const TRACKING_RUN = 't'.repeat(32);
const KEY = 'abcdef0123456789'.repeat(4);

function stage(overrides: Partial<StageRunView>): StageRunView {
  return stageRunView({ name: 'train', kind: 'dvc', ...overrides });
}

function run(overrides: Partial<PipelineRunView>): PipelineRunView {
  return {
    runId: RUN,
    file: '/home/ada/digits/dvc.yaml',
    name: 'digits',
    status: 'running',
    reason: { kind: 'manual', detail: 'from the command line' },
    options: { force: false, forceStages: [], from: null, runner: null },
    createdAt: T0,
    endedAt: null,
    error: null,
    stages: [stage({ name: 'prepare' }), stage({ name: 'train', needs: ['prepare'] })],
    ...overrides,
  };
}

describe('orrery pipeline run as text', () => {
  it('run prints what started and the run id on a line of its own', () => {
    expect(startedText(run({}))).toBe(`Started pipeline digits (2 stages) from /home/ada/digits/dvc.yaml\nrun ${RUN}`);
    expect(startedText(run({ stages: [stage({})] })).split('\n')[0]).toBe('Started pipeline digits (1 stage) from /home/ada/digits/dvc.yaml');
  });

  it('--wait prints each change as one line, with what a stage decided or why it failed once it has ended', () => {
    expect(stageChangeText(stage({ status: 'running', message: 'started' }))).toBe('stage train: running');
    expect(stageChangeText(stage({ status: 'cached', cached: true }))).toBe('stage train: cached');
    expect(stageChangeText(stage({ name: 'evaluate', status: 'failed', message: 'accuracy 0.81 is below 0.9' }))).toBe('stage evaluate: failed — accuracy 0.81 is below 0.9');
    expect(stageChangeText(stage({ name: 'evaluate', status: 'succeeded', message: 'no Production model yet: the gate passes' }))).toBe(
      'stage evaluate: succeeded — no Production model yet: the gate passes',
    );
    expect(stageChangeText(stage({ name: 'deploy', status: 'waiting-approval', message: 'digits v3 waits for approval' }))).toBe(
      'stage deploy: waiting for approval — digits v3 waits for approval',
    );
  });

  it('a run that succeeded says how long and how many stages ran and were cached', () => {
    const done = run({ status: 'succeeded', endedAt: T0 + 75_000, stages: [stage({ name: 'prepare', status: 'cached', cached: true }), stage({ status: 'succeeded' })] });
    expect(succeededText(done, T0 + 999_000)).toBe(`Pipeline digits succeeded after 1:15: 1 ran, 1 cached; run ${RUN}`);
  });

  it('a run that failed names each failed stage, its message and its job log; what did not run; a cancelled run says so', () => {
    const failed = run({
      status: 'failed',
      error: 'stage train failed',
      stages: [
        stage({ name: 'prepare', status: 'succeeded' }),
        stage({ name: 'train', status: 'failed', jobId: JOB, message: 'exited with code 2' }),
        stage({ name: 'gate', kind: 'evaluate', status: 'failed', message: 'accuracy 0.5 < 0.9' }),
        stage({ name: 'register', status: 'skipped' }),
        stage({ name: 'deploy', status: 'skipped' }),
      ],
    });
    expect(notSucceededText(failed).split('\n')).toEqual([
      `pipeline digits (run ${RUN}) failed at stage train: exited with code 2`,
      `  its log: orrery jobs logs ${JOB}`,
      `pipeline digits (run ${RUN}) failed at stage gate: accuracy 0.5 < 0.9`,
      '  not run: register, deploy',
    ]);
    expect(notSucceededText(run({ status: 'failed', error: 'the file changed while it ran', stages: [stage({ status: 'skipped' })] }))).toBe(
      `pipeline digits (run ${RUN}) failed: the file changed while it ran\n  not run: train`,
    );
    expect(
      notSucceededText(run({ status: 'cancelled', stages: [stage({ name: 'prepare', status: 'succeeded' }), stage({ status: 'cancelled' }), stage({ name: 'report', status: 'pending' })] })),
    ).toBe(`pipeline digits (run ${RUN}) was cancelled\n  cancelled: train\n  not run: report`);
  });

  it('cancel says it was cancelled, or how the run ended first', () => {
    expect(cancelledText(run({ status: 'cancelled', stages: [stage({ status: 'cancelled' })] }))).toBe(`Cancelled pipeline digits (run ${RUN})\n  cancelled: train`);
    expect(cancelledText(run({ status: 'succeeded' }))).toBe(`Pipeline digits (run ${RUN}) succeeded before it could be cancelled`);
  });
});

describe('orrery pipeline status as text', () => {
  it('the run, then a row per stage: status, cached, the key short, duration, links, message', () => {
    const view = run({
      status: 'failed',
      endedAt: T0 + 200_000,
      reason: { kind: 'dataset', detail: '/data/train.csv changed' },
      options: { force: false, forceStages: ['train'], from: null, runner: 'process' },
      error: 'stage evaluate failed:\naccuracy too low',
      stages: [
        stage({ name: 'prepare', status: 'cached', cached: true, key: KEY }),
        stage({ name: 'train', kind: 'train', status: 'succeeded', key: KEY, startedAt: T0, endedAt: T0 + 62_000, durationMs: 62_000, jobId: JOB, runId: TRACKING_RUN }),
        stage({ name: 'evaluate', kind: 'evaluate', status: 'failed', key: KEY, durationMs: 1000, runId: TRACKING_RUN, message: 'accuracy 0.81 < 0.9\nno Production model yet' }),
        stage({ name: 'deploy', kind: 'deploy', status: 'skipped' }),
      ],
    });
    const pad = (s: string, n: number) => s.padEnd(n);
    const links = `job ${JOB}, run ${TRACKING_RUN}`;
    expect(runStatusText(view, T0 + 999_000).split('\n')).toEqual([
      'Pipeline digits  failed',
      'file     /home/ada/digits/dvc.yaml',
      `run      ${RUN}`,
      'started  2026-11-30T09:00:00Z (dataset: /data/train.csv changed), took 3:20',
      'options  --force-stage train --runner process',
      'error    stage evaluate failed: / accuracy too low',
      '',
      `STAGE     STATUS     CACHED  KEY           DURATION  ${pad('LINKS', links.length)}  MESSAGE`,
      `prepare   cached     yes     abcdef012345  –         ${pad('–', links.length)}  –`,
      `train     succeeded  no      abcdef012345  1:02      ${links}  –`,
      `evaluate  failed     no      abcdef012345  0:01      ${pad(`run ${TRACKING_RUN}`, links.length)}  accuracy 0.81 < 0.9 / no Production model yet`,
      `deploy    skipped    no      –             –         ${pad('–', links.length)}  –`,
    ]);
  });

  it('a running stage shows how long so far; links name a model version and a deployment', () => {
    const text = runStatusText(run({ stages: [stage({ status: 'running', startedAt: T0 })] }), T0 + 5000);
    expect(text).toContain('started  2026-11-30T09:00:00Z (manual: from the command line), running for 0:05');
    expect(text).not.toContain('options');
    expect(text.split('\n').at(-1)).toBe('train  running  no      –    0:05      –      –');
    expect(linksText(stage({ runId: TRACKING_RUN, model: { name: 'digits', version: 3 }, deployment: 'digits-prod' }))).toBe(`run ${TRACKING_RUN}, model digits v3, deployment digits-prod`);
    expect(linksText(stage({}))).toBe('');
  });
});

describe('orrery pipeline list and triggers as text', () => {
  const trigger = (overrides: Partial<TriggerView>): TriggerView => ({
    triggerId: 'trg-1',
    file: '/home/ada/digits/dvc.yaml',
    kind: 'cron',
    target: '0 3 * * *',
    source: 'user',
    nextAt: T0 + 3_600_000,
    problem: null,
    ...overrides,
  });

  it('list: a row per pipeline with its last run, the next cron time or what watches it, and a problem reading it', () => {
    const summary = (overrides: Partial<PipelineSummary>): PipelineSummary => ({
      file: '/home/ada/digits/dvc.yaml',
      name: 'digits',
      dialect: 'dvc',
      stageCount: 2,
      lastRun: null,
      nextTriggerAt: null,
      triggers: [],
      problem: null,
      ...overrides,
    });
    const text = pipelinesTableText([
      summary({ lastRun: { runId: RUN, status: 'succeeded', createdAt: T0, endedAt: T0 + 1000 }, nextTriggerAt: T0 + 3_600_000, triggers: [trigger({})] }),
      summary({ file: '/srv/iris/orrery.pipeline.yaml', name: 'iris', triggers: [trigger({ kind: 'dataset', nextAt: null }), trigger({ kind: 'alert', nextAt: null })] }),
      summary({ file: '/srv/old/dvc.yaml', name: 'old', problem: '/srv/old/dvc.yaml:3: stages.a.cmd: required\n/srv/old/dvc.yaml:9: vars: templating is refused' }),
    ]);
    expect(text.split('\n')).toEqual([
      'FILE                            NAME    LAST RUN   WHEN                  NEXT TRIGGER          PROBLEM',
      '/home/ada/digits/dvc.yaml       digits  succeeded  2026-11-30T09:00:00Z  2026-11-30T10:00:00Z  –',
      '/srv/iris/orrery.pipeline.yaml  iris    –          –                     on dataset, alert     –',
      '/srv/old/dvc.yaml               old     –          –                     –                     /srv/old/dvc.yaml:3: stages.a.cmd: required (and 1 more)',
    ]);
    expect(pipelinesTableText([])).toBe('No pipelines yet: orrery pipeline run FILE runs one, orrery pipeline trigger add FILE … watches one.');
  });

  it('trigger list: id, file, kind, target, source, next, problem; trigger add: what was added and its id', () => {
    const text = triggersTableText([trigger({}), trigger({ triggerId: 'trg-22', kind: 'dataset', target: '/data/train.csv', source: 'file', nextAt: null, problem: 'the path is gone' })]);
    expect(text.split('\n')).toEqual([
      'ID      FILE                       KIND     TARGET           SOURCE  NEXT                  PROBLEM',
      'trg-1   /home/ada/digits/dvc.yaml  cron     0 3 * * *        user    2026-11-30T10:00:00Z  –',
      'trg-22  /home/ada/digits/dvc.yaml  dataset  /data/train.csv  file    –                     the path is gone',
    ]);
    expect(triggersTableText([])).toBe('No triggers.');
    expect(triggerAddedText(trigger({}))).toBe('Added a cron trigger 0 3 * * * to /home/ada/digits/dvc.yaml (next 2026-11-30T10:00:00Z)\ntrigger trg-1');
    expect(triggerAddedText(trigger({ kind: 'commit', target: '/code/digits:main', nextAt: null, problem: 'no branch main' }))).toBe(
      'Added a commit trigger /code/digits:main to /home/ada/digits/dvc.yaml\nproblem: no branch main\ntrigger trg-1',
    );
  });
});
