import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlertEvent } from '../../../shared/contract/monitoring';
import type { PipelineRunOptions } from '../../../shared/contract/pipelines';
import type { Job } from '../../../shared/contract/training';
import { OrreryError } from '../../../shared/errors';
import { EventBus } from '../../../electron/services/events/event-bus';
import { AlertRepository } from '../../../electron/services/monitoring/alerts/alert-repository';
import { AlertsService } from '../../../electron/services/monitoring/alerts/alerts-service';
import type { WebhookEvent } from '../../../electron/services/monitoring/alerts/webhook-notifier';
import type { PipelineDefinition, StageDefinition } from '../../../electron/services/pipelines/pipeline-definition';
import { PipelineFailureAlerts, type PipelineAlertsPort } from '../../../electron/services/pipelines/pipeline-failure-alerts';
import { PipelineRepository } from '../../../electron/services/pipelines/pipeline-repository';
import { PipelineService } from '../../../electron/services/pipelines/pipeline-service';
import type { AppCall } from '../../../electron/services/pipelines/ports';
import { openDatabase } from '../../../electron/services/store/database';
import { tempDir } from '../../helpers/temp-dir';

/**
 * A pipeline run that ends failed raises monitoring's alert, through the service's onRunEnded hook
 * as the app wires it: the job queue is faked (the test ends each job), the alerts are real.
 */
const FILE = '/p/orrery.pipeline.yaml';
const options: PipelineRunOptions = { force: false, forceStages: [], from: null, runner: 'process' };
const manual = { kind: 'manual' as const, detail: 'test' };

function jobStage(name: string, needs: string[] = []): StageDefinition {
  return { kind: 'job', name, needs, deps: [], outs: [], params: {}, line: 1, job: { name, image: 'host', command: ['true'] } };
}
const definition: PipelineDefinition = { file: FILE, folder: '/p', name: 'digits', dialect: 'orrery', stages: [jobStage('prep'), jobStage('train', ['prep'])], triggers: [] };

let db: Database;
let bus: EventBus;
let jobs: Map<string, Job>;
let alerts: AlertsService;
let service: PipelineService;
let events: AlertEvent[];
let webhook: WebhookEvent[];

function endJob(name: string, status: 'finished' | 'failed'): void {
  const job = [...jobs.values()].find((j) => j.name === name && j.status === 'running');
  if (!job) throw new Error(`no running job ${name}`);
  const ended = { ...job, status, reason: status === 'failed' ? 'exited with code 2' : null } as Job;
  jobs.set(job.jobId, ended);
  bus.publish('training.job', ended);
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}
const running = (name: string) => [...jobs.values()].some((j) => j.name === name && j.status === 'running');

/** Runs the pipeline, ending each job that starts as `outcomes` says (in order); stages that are cached start none. */
async function runPipeline(outcomes: Array<[string, 'finished' | 'failed']>) {
  const { run, done } = await service.start({ file: FILE, reason: manual, options });
  for (const [name, status] of outcomes) {
    await until(() => running(name));
    endJob(name, status);
  }
  return { runId: run.runId, ended: await done };
}

beforeEach(() => {
  db = openDatabase({ dataDir: tempDir() }).db;
  bus = new EventBus();
  jobs = new Map();
  events = [];
  webhook = [];
  bus.subscribe('monitoring.alert', (event) => events.push(event));
  alerts = new AlertsService({ repository: new AlertRepository(db), bus, clock: Date.now, notifier: { send: (_alert, event) => webhook.push(event) }, deploymentExists: () => false });
  const reporter = new PipelineFailureAlerts(alerts, () => 'digits');
  let next = 0;
  const call = (async (method: string, input: Record<string, unknown>) => {
    if (method === 'training.submit') {
      const jobId = `job-${++next}`;
      const job = { jobId, name: (input.spec as { name: string }).name, status: 'running', runId: String(next).padStart(32, '0'), reason: null } as unknown as Job;
      jobs.set(jobId, job);
      return job;
    }
    if (method === 'training.getJob') {
      const job = jobs.get(input.jobId as string);
      if (!job) throw new OrreryError('NOT_FOUND', 'no job');
      return job;
    }
    if (method === 'training.cancel') {
      const job = { ...jobs.get(input.jobId as string)!, status: 'cancelled' } as Job;
      jobs.set(job.jobId, job);
      bus.publish('training.job', job);
      return job;
    }
    // A cache hit checks what the stage made is still there.
    if (method === 'tracking.getRun') return { runId: input.runId };
    throw new Error(`unexpected call ${method}`);
  }) as unknown as AppCall;
  let id = 0;
  service = new PipelineService({
    repo: new PipelineRepository(db),
    call,
    events: bus,
    cache: { keyOf: async (stage) => `key-${stage.name}`, outputsPresent: async () => ({ present: true, missing: [] }) },
    now: () => Date.now(),
    newId: () => `run-${++id}`,
    readDefinition: async () => definition,
    resolveRunner: async () => 'process',
    imageDigest: async () => null,
    onRunEnded: (run) => reporter.runEnded(run),
  });
});
afterEach(() => {
  service.close();
  db.close();
});

describe('a failed pipeline run raises an alert', () => {
  it('a run failing at a stage fires one alert naming the pipeline, the stage and its error, linked to the run; a later success resolves it', async () => {
    const first = await runPipeline([
      ['prep', 'finished'],
      ['train', 'failed'],
    ]);
    expect(first.ended.status).toBe('failed');
    const [alert] = alerts.listAlerts({ limit: 10 });
    expect(alert).toMatchObject({ state: 'firing', source: 'pipeline', deployment: null, pipeline: { file: FILE, name: 'digits', runId: first.runId, stage: 'train', failures: 1 } });
    expect(alert!.pipeline!.error).toMatch(/^job job-2 failed: exited with code 2/);
    expect(alert!.message).toMatch(new RegExp(`^pipeline digits failed at stage 'train' \\(run ${first.runId}\\): job job-2 failed: exited with code 2`));
    expect(events.filter((e) => e.notify)).toHaveLength(1);
    expect(webhook).toEqual(['firing']);

    // prep is cached now; train fails again: the same incident, told once.
    const second = await runPipeline([['train', 'failed']]);
    expect(alerts.listAlerts({ limit: 10 })).toMatchObject([{ id: alert!.id, state: 'firing', pipeline: { runId: second.runId, failures: 2 } }]);
    expect(events.filter((e) => e.notify)).toHaveLength(1);

    const third = await runPipeline([['train', 'finished']]);
    expect(third.ended.status).toBe('succeeded');
    expect(alerts.listAlerts({ limit: 10 })).toMatchObject([{ id: alert!.id, state: 'resolved' }]);
    expect(webhook).toEqual(['firing', 'resolved']);
  });

  it('a cancelled run neither raises nor resolves', async () => {
    await runPipeline([
      ['prep', 'finished'],
      ['train', 'failed'],
    ]);
    const { run, done } = await service.start({ file: FILE, reason: manual, options });
    await until(() => running('train'));
    service.cancel(run.runId);
    expect((await done).status).toBe('cancelled');
    expect(alerts.listAlerts({ limit: 10 })).toMatchObject([{ state: 'firing', pipeline: { failures: 1 } }]);
  });
});

describe('a trigger whose run could not start', () => {
  const port = () => ({ raisePipelineFailure: vi.fn(), resolvePipelineFailure: vi.fn() }) satisfies PipelineAlertsPort;

  it('raises the alert with the trigger that asked and the reason, named from what the pipeline last was', () => {
    const fake = port();
    new PipelineFailureAlerts(fake, (file) => (file === FILE ? 'digits' : '?')).startFailed(FILE, { kind: 'cron', detail: 'cron 0 3 * * *' }, new OrreryError('INVALID_INPUT', 'line 4: stages.train.needs: unknown stage "prep"'));
    expect(fake.raisePipelineFailure).toHaveBeenCalledWith({ file: FILE, name: 'digits', runId: null, stage: null, error: 'line 4: stages.train.needs: unknown stage "prep"', trigger: 'cron 0 3 * * *' });
  });

  it('does not call Orrery closing, or a run already going, a failure', () => {
    const fake = port();
    const reporter = new PipelineFailureAlerts(fake, () => 'digits');
    reporter.startFailed(FILE, manual, new OrreryError('UNAVAILABLE', 'Orrery is closing'));
    reporter.startFailed(FILE, manual, new OrreryError('CONFLICT', 'already running'));
    expect(fake.raisePipelineFailure).not.toHaveBeenCalled();
  });

  it('logs, and does not throw, when the alert cannot be written', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const broken: PipelineAlertsPort = {
      raisePipelineFailure: () => {
        throw new Error('database is closed');
      },
      resolvePipelineFailure: () => undefined,
    };
    expect(() => new PipelineFailureAlerts(broken, () => 'digits').startFailed(FILE, manual, new Error('gone'))).not.toThrow();
    expect(error).toHaveBeenCalledWith(expect.stringContaining('could not update the failure alert'), expect.any(Error));
    error.mockRestore();
  });
});
