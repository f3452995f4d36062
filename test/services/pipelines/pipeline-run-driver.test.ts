import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PipelineRunOptions, PipelineRunView } from '../../../shared/contract/pipelines';
import type { Job } from '../../../shared/contract/training';
import { OrreryError } from '../../../shared/errors';
import { EventBus } from '../../../electron/services/events/event-bus';
import type { PipelineDefinition, StageDefinition } from '../../../electron/services/pipelines/pipeline-definition';
import { PipelineRepository } from '../../../electron/services/pipelines/pipeline-repository';
import { PipelineService } from '../../../electron/services/pipelines/pipeline-service';
import type { AppCall, StageCache } from '../../../electron/services/pipelines/ports';
import { openDatabase } from '../../../electron/services/store/database';
import { tempDir } from '../../helpers/temp-dir';

/**
 * The run driver against a fake queue: each job stage's job is held until the test ends it, so the
 * test sees which stages run side by side, what a failure cuts off, what the cache skips, and what
 * a restarted app resumes.
 */
const options = (over: Partial<PipelineRunOptions> = {}): PipelineRunOptions => ({ force: false, forceStages: [], from: null, runner: 'process', ...over });

function jobStage(name: string, needs: string[] = []): StageDefinition {
  return { kind: 'job', name, needs, deps: [], outs: [], params: {}, line: 1, job: { name, image: 'host', command: ['true'] } };
}

const definition = (stages: StageDefinition[]): PipelineDefinition => ({ file: '/p/orrery.pipeline.yaml', folder: '/p', name: 'p', dialect: 'orrery', stages, triggers: [] });

class FakeQueue {
  readonly jobs = new Map<string, Job>();
  private next = 1;
  constructor(private readonly bus: EventBus) {}

  submit(name: string): Job {
    const jobId = `job-${this.next++}`;
    const job = { jobId, name, status: 'running', runId: jobId.replace('job-', '').padStart(32, '0'), reason: null } as unknown as Job;
    this.jobs.set(jobId, job);
    return job;
  }

  end(name: string, status: 'finished' | 'failed' | 'cancelled', runner: 'docker' | 'process' = 'docker'): void {
    const job = [...this.jobs.values()].find((j) => j.name === name && j.status === 'running');
    if (!job) throw new Error(`no running job ${name}`);
    const ended = { ...job, status, runner, reason: status === 'failed' ? 'exited with code 1' : null };
    this.jobs.set(job.jobId, ended);
    this.bus.publish('training.job', ended);
  }

  running(): string[] {
    return [...this.jobs.values()].filter((j) => j.status === 'running').map((j) => j.name);
  }
}

let db: Database;
let bus: EventBus;
let queue: FakeQueue;
let keys: Map<string, string>;
let deletedRuns: Set<string>;
let production: number | null;
/** Keys are computed once this settles (a big dep being hashed). */
let hashing: Promise<void>;
let service: PipelineService;
let def: PipelineDefinition;

function makeService(): PipelineService {
  const call = (async (method: string, input: Record<string, unknown>) => {
    if (method === 'training.submit') return queue.submit((input.spec as { name: string }).name);
    if (method === 'training.getJob') {
      const job = queue.jobs.get(input.jobId as string);
      if (!job) throw new OrreryError('NOT_FOUND', 'no job');
      return job;
    }
    if (method === 'training.submitSweep') {
      const jobs = [0, 1, 2].map((i) => queue.submit(`trial-${i}`));
      return { parentRunId: 'f'.repeat(32), jobs, warning: null };
    }
    if (method === 'training.getSweep') {
      const trials = [...queue.jobs.values()].filter((j) => j.name.startsWith('trial-')).map((j, i) => ({ runId: j.runId, jobId: j.jobId, objectiveValue: j.status === 'finished' ? i : null }));
      const best = trials.filter((t) => t.objectiveValue !== null).sort((a, b) => b.objectiveValue! - a.objectiveValue!)[0];
      return { parentRunId: input.runId, objective: { metric: 'val_acc', mode: 'max' }, bestRunId: best?.runId ?? null, trials };
    }
    if (method === 'training.cancel') {
      const job = queue.jobs.get(input.jobId as string)!;
      queue.end(job.name, 'cancelled');
      return job;
    }
    // A cache hit checks what the stage made is still there.
    if (method === 'tracking.getRun') {
      if (deletedRuns.has(input.runId as string)) throw new OrreryError('NOT_FOUND', 'no run');
      return { runId: input.runId, metrics: { val_acc: { key: 'val_acc', value: 0.95, step: 0, timestamp: 0 } } };
    }
    if (method === 'registry.getModel') {
      if (production === null) throw new OrreryError('NOT_FOUND', 'no model');
      return { aliases: {}, productionVersion: production };
    }
    if (method === 'registry.getVersion') return { metrics: { val_acc: 0.9 } };
    throw new Error(`unexpected call ${method}`);
  }) as unknown as AppCall;
  const cache: StageCache = {
    keyOf: async (stage, context) => {
      await hashing;
      return `${keys.get(stage.name) ?? 'k'}<${Object.values(context.upstreamKeys).join(',')}>`;
    },
    outputsPresent: async () => ({ present: true, missing: [] }),
  };
  let id = 0;
  return new PipelineService({
    repo: new PipelineRepository(db),
    call,
    events: bus,
    cache,
    now: () => Date.now(),
    newId: () => `run-${++id}-${Math.random().toString(16).slice(2, 6)}`,
    readDefinition: async () => def,
    resolveRunner: async () => 'process',
    imageDigest: async () => null,
  });
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}

const statuses = (run: PipelineRunView) => Object.fromEntries(run.stages.map((s) => [s.name, s.status]));

beforeEach(() => {
  db = openDatabase({ dataDir: tempDir() }).db;
  bus = new EventBus();
  queue = new FakeQueue(bus);
  keys = new Map();
  deletedRuns = new Set();
  production = null;
  hashing = Promise.resolve();
  service = makeService();
  // a → (b, c) → d: b and c are independent.
  def = definition([jobStage('a'), jobStage('b', ['a']), jobStage('c', ['a']), jobStage('d', ['b', 'c'])]);
});
afterEach(() => db.close());

describe('pipeline run driver', () => {
  it('runs independent stages side by side and each stage once its needs are done', async () => {
    const { run, done } = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() });
    await until(() => queue.running().length === 1);
    expect(queue.running()).toEqual(['a']);
    queue.end('a', 'finished');
    await until(() => queue.running().length === 2);
    expect(queue.running().sort()).toEqual(['b', 'c']);
    queue.end('b', 'finished');
    queue.end('c', 'finished');
    await until(() => queue.running().includes('d'));
    queue.end('d', 'finished');
    const ended = await done;
    expect(ended.status).toBe('succeeded');
    expect(statuses(ended)).toEqual({ a: 'succeeded', b: 'succeeded', c: 'succeeded', d: 'succeeded' });
    expect(ended.stages[0]!.runId).toBe(queue.jobs.get('job-1')!.runId);
    expect(service.getRun(run.runId).endedAt).not.toBeNull();
  });

  it('a failed stage stops its dependents; an independent branch still finishes', async () => {
    const { done } = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() });
    await until(() => queue.running().includes('a'));
    queue.end('a', 'finished');
    await until(() => queue.running().length === 2);
    queue.end('b', 'failed');
    queue.end('c', 'finished');
    const ended = await done;
    expect(statuses(ended)).toEqual({ a: 'succeeded', b: 'failed', c: 'succeeded', d: 'skipped' });
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatch(/stage 'b' failed: job job-\d+ failed: exited with code 1/);
    expect(queue.jobs.size).toBe(3); // d never started
  });

  it('an unchanged key is cached; a changed one re-runs that stage and what depends on it', async () => {
    const first = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() });
    for (const name of ['a', 'b', 'c', 'd']) {
      await until(() => queue.running().includes(name));
      queue.end(name, 'finished');
    }
    await first.done;

    const again = await (await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() })).done;
    expect(statuses(again)).toEqual({ a: 'cached', b: 'cached', c: 'cached', d: 'cached' });
    expect(again.stages.every((s) => s.cached)).toBe(true);
    expect(queue.jobs.size).toBe(4);

    keys.set('c', 'k2'); // c's content changed: c and d run, a and b stay cached
    const third = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() });
    await until(() => queue.running().includes('c'));
    queue.end('c', 'finished');
    await until(() => queue.running().includes('d'));
    queue.end('d', 'finished');
    expect(statuses(await third.done)).toEqual({ a: 'cached', b: 'cached', c: 'succeeded', d: 'succeeded' });
  });

  it('--force-stage re-runs that stage and its dependents; --from reuses what is before it', async () => {
    const first = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() });
    for (const name of ['a', 'b', 'c', 'd']) {
      await until(() => queue.running().includes(name));
      queue.end(name, 'finished');
    }
    await first.done;

    const forced = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options({ forceStages: ['b'] }) });
    await until(() => queue.running().includes('b'));
    queue.end('b', 'finished');
    await until(() => queue.running().includes('d'));
    queue.end('d', 'finished');
    expect(statuses(await forced.done)).toEqual({ a: 'cached', b: 'succeeded', c: 'cached', d: 'succeeded' });

    keys.set('a', 'changed'); // --from c: a is reused even though its key changed
    const from = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options({ from: 'c' }) });
    await until(() => queue.running().includes('c'));
    queue.end('c', 'finished');
    await until(() => queue.running().includes('d'));
    queue.end('d', 'finished');
    expect(statuses(await from.done)).toEqual({ a: 'cached', b: 'cached', c: 'succeeded', d: 'succeeded' });
  });

  it('refuses a second run of the same file while one runs, and an unknown stage in --from', async () => {
    await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() });
    await expect(service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() })).rejects.toThrow(/already running/);
    await expect(service.start({ file: '/other/orrery.pipeline.yaml', reason: { kind: 'manual', detail: 't' }, options: options({ from: 'nope' }) })).rejects.toThrow(
      /from: 'nope' is not a stage/,
    );
  });

  it('cancelling cancels the running job and starts nothing more', async () => {
    const { run, done } = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() });
    await until(() => queue.running().includes('a'));
    service.cancel(run.runId);
    const ended = await done;
    expect(ended.status).toBe('cancelled');
    expect(statuses(ended)).toEqual({ a: 'cancelled', b: 'cancelled', c: 'cancelled', d: 'cancelled' });
    expect(queue.jobs.size).toBe(1);
  });

  it('after a restart, resumes the run: finished stages stay, a running job is followed again, not resubmitted', async () => {
    const { run } = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() });
    await until(() => queue.running().includes('a'));
    queue.end('a', 'finished');
    await until(() => queue.running().length === 2);
    queue.end('b', 'finished');
    await until(() => service.getRun(run.runId).stages[1]!.status === 'succeeded');
    const aStarted = service.getRun(run.runId).stages[0]!.startedAt;
    service.close(); // the app stops; c's job keeps running under the queue

    const restarted = makeService();
    restarted.resume();
    const resumed = restarted.waitFor(run.runId);
    queue.end('c', 'finished');
    await until(() => queue.running().includes('d'));
    queue.end('d', 'finished');
    const ended = await resumed;
    expect(statuses(ended)).toEqual({ a: 'succeeded', b: 'succeeded', c: 'succeeded', d: 'succeeded' });
    expect(ended.stages[0]!.startedAt).toBe(aStarted);
    expect([...queue.jobs.values()].filter((j) => j.name === 'c')).toHaveLength(1);
  });

  it('a train stage with a sweep waits for every trial and hands on the best one; a restart follows the trials again', async () => {
    const train: StageDefinition = { kind: 'train', name: 'train', needs: [], deps: [], outs: [], params: {}, line: 1, job: { name: 'train', image: 'host', command: ['true'] }, sweep: { strategy: 'grid', space: { lr: { values: [1, 2, 3] } }, maxTrials: 20, maxParallel: 3, objective: { metric: 'val_acc', mode: 'max' } } };
    def = definition([train, jobStage('after', ['train'])]);
    const { run } = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() });
    await until(() => queue.running().length === 3);
    queue.end('trial-0', 'finished');
    queue.end('trial-1', 'failed');
    await until(() => service.getRun(run.runId).stages[0]!.log.some((line) => line.includes('3 trials queued')));
    service.close(); // the app stops with trial-2 still running

    const restarted = makeService();
    restarted.resume();
    const resumed = restarted.waitFor(run.runId);
    queue.end('trial-2', 'finished');
    await until(() => queue.running().includes('after'));
    queue.end('after', 'finished');
    const ended = await resumed;
    expect(statuses(ended)).toEqual({ train: 'succeeded', after: 'succeeded' });
    const trial2 = [...queue.jobs.values()].find((j) => j.name === 'trial-2')!;
    expect(ended.stages[0]!.runId).toBe(trial2.runId); // the best: the highest val_acc of the finished trials
    expect([...queue.jobs.values()].filter((j) => j.name.startsWith('trial-'))).toHaveLength(3); // none resubmitted
  });

  it('a run a drift alert starts retrains: its train stages run though nothing changed', async () => {
    const train: StageDefinition = { kind: 'train', name: 'train', needs: [], deps: [], outs: [], params: {}, line: 1, job: { name: 'train', image: 'host', command: ['true'] } };
    def = definition([jobStage('prepare'), { ...train, needs: ['prepare'] }, jobStage('after', ['train'])]);
    const first = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() });
    for (const name of ['prepare', 'train', 'after']) {
      await until(() => queue.running().includes(name));
      queue.end(name, 'finished');
    }
    await first.done;

    const alerted = await service.start({ file: def.file, reason: { kind: 'alert', detail: 'dataset drift on digits' }, options: options() });
    expect(alerted.run.options.forceStages).toEqual(['train']);
    await until(() => queue.running().includes('train'));
    queue.end('train', 'finished');
    await until(() => queue.running().includes('after'));
    queue.end('after', 'finished');
    expect(statuses(await alerted.done)).toEqual({ prepare: 'cached', train: 'succeeded', after: 'succeeded' });
  });

  it('a cached stage whose run was deleted since is run again', async () => {
    def = definition([jobStage('a')]);
    const first = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() });
    await until(() => queue.running().includes('a'));
    queue.end('a', 'finished');
    const ended = await first.done;
    deletedRuns.add(ended.stages[0]!.runId!);
    const again = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() });
    await until(() => queue.running().includes('a'));
    queue.end('a', 'finished');
    expect(statuses(await again.done)).toEqual({ a: 'succeeded' });
  });

  it('an evaluate stage is judged again when the version it must beat changes, without redoing what follows it', async () => {
    const evaluate: StageDefinition = { kind: 'evaluate', name: 'evaluate', needs: ['train'], deps: [], outs: [], params: {}, line: 1, from: 'train', thresholds: [], beat: { model: 'digits', metric: 'val_acc', by: 0.01, mode: 'max' } };
    def = definition([jobStage('train'), evaluate, jobStage('register', ['evaluate'])]);
    const first = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() });
    await until(() => queue.running().includes('train'));
    queue.end('train', 'finished');
    await until(() => queue.running().includes('register'));
    queue.end('register', 'finished');
    const judged = await first.done;
    expect(judged.stages[1]!.log.join('\n')).toMatch(/there is none yet, so this gate passes/);

    production = 4; // a version reached Production since
    const again = await (await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() })).done;
    expect(statuses(again)).toEqual({ train: 'cached', evaluate: 'succeeded', register: 'cached' });
    expect(again.stages[1]!.log.join('\n')).toMatch(/version 4\) by 0.01 on val_acc: 0.95 against 0.9 — passed/);
    const third = await (await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() })).done;
    expect(statuses(third)).toEqual({ train: 'cached', evaluate: 'cached', register: 'cached' });
  });

  it('a stage that fails when run again loses its old result: the next run runs it, not a stale hit', async () => {
    def = definition([jobStage('a')]);
    const first = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() });
    await until(() => queue.running().includes('a'));
    queue.end('a', 'finished');
    await first.done;
    const forced = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options({ force: true }) });
    await until(() => queue.running().includes('a'));
    queue.end('a', 'failed'); // it may have left half-written outs behind
    await forced.done;
    const next = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() });
    await until(() => queue.running().includes('a'));
    queue.end('a', 'finished');
    expect(statuses(await next.done)).toEqual({ a: 'succeeded' });
  });

  it('cancelled while its key is being hashed, a stage starts no job', async () => {
    let hashed!: () => void;
    hashing = new Promise<void>((resolve) => (hashed = resolve));
    def = definition([jobStage('a')]);
    const { run, done } = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() });
    await until(() => service.getRun(run.runId).stages[0]!.status === 'running');
    service.cancel(run.runId);
    hashed();
    expect(statuses(await done)).toEqual({ a: 'cancelled' });
    expect(queue.jobs.size).toBe(0);
  });

  it('after a restart, a stage whose plain-process job ended with the old app runs again', async () => {
    def = definition([jobStage('a'), jobStage('b', ['a'])]);
    const { run } = await service.start({ file: def.file, reason: { kind: 'manual', detail: 't' }, options: options() });
    await until(() => queue.running().includes('a'));
    service.close();
    queue.end('a', 'failed', 'process'); // the process died with the app
    const restarted = makeService();
    restarted.resume();
    const resumed = restarted.waitFor(run.runId);
    await until(() => queue.running().includes('a'));
    queue.end('a', 'finished', 'process');
    await until(() => queue.running().includes('b'));
    queue.end('b', 'finished', 'process');
    const ended = await resumed;
    expect(statuses(ended)).toEqual({ a: 'succeeded', b: 'succeeded' });
    expect(ended.stages[0]!.log.join('\n')).toMatch(/ended with the app that ran it; the stage runs again/);
  });
});
