import type { PipelineRunView, StageRunStatus, StageRunView } from '../../../shared/contract/pipelines';
import type { Deployment } from '../../../shared/contract/serving';
import { OrreryError } from '../../../shared/errors';
import { downstreamOf } from './definition/pipeline-graph';
import type { PipelineDefinition, StageDefinition } from './pipeline-definition';
import type { PipelineRepository, StageResult, StoredRun } from './pipeline-repository';
import type { AppCall, AppEvents, StageCache } from './ports';
import { followSweep } from './stages/job-stage';
import { waitForJob } from './stages/job-waiter';
import { StageFailure, type StageContext, type StageOutcome } from './stages/stage-context';
import { runStageKind, stageImage } from './stages/stage-dispatch';

export interface DriverDeps {
  repo: PipelineRepository;
  call: AppCall;
  events: AppEvents;
  cache: StageCache;
  now(): number;
  /** The runner stages use: the one asked for, else Docker when an engine answers. */
  resolveRunner(requested: 'docker' | 'process' | null): Promise<'docker' | 'process'>;
  /** The local image's id (part of the key); a StageFailure when the image does not exist. */
  imageDigest(image: string, runner: 'docker' | 'process'): Promise<string | null>;
}

const DONE = new Set<StageRunStatus>(['succeeded', 'cached']);
const ENDED = new Set<StageRunStatus>(['succeeded', 'cached', 'failed', 'skipped', 'cancelled']);

/**
 * Drives one pipeline run to its end: starts every stage whose needs are done (so independent
 * stages run side by side, as far as the training queue lets them), skips what a failure cuts
 * off, and records each step, so a run left 'running' by a stopped app resumes where it was:
 * finished stages stay finished, and a stage whose job was running waits for that job again.
 */
export class PipelineRunDriver {
  private readonly definition: PipelineDefinition;
  private readonly status = new Map<string, StageRunStatus>();
  private readonly results = new Map<string, StageResult>();
  /** Stages whose job (or sweep) was running when the app stopped: followed again, not started again. */
  private readonly resumed = new Map<string, { jobId: string; runId: string | null }>();
  /** Aborted on cancel and on detach; `cancelled` tells which. */
  private readonly abort = new AbortController();
  private cancelled = false;
  private detached = false;
  private readonly forced: Set<string>;
  /** With `from`: the stages before it, taken from their last result whatever their key says. */
  private readonly reused: Set<string>;
  private error: string | null = null;
  private ended: PipelineRunView['status'] | null = null;

  constructor(
    private readonly deps: DriverDeps,
    private readonly stored: StoredRun,
  ) {
    this.definition = stored.definition;
    const { options } = stored.view;
    const names = this.definition.stages.map((s) => s.name);
    const after = (name: string) => downstreamOf(this.definition.stages, name);
    this.forced = new Set(options.force ? names : options.forceStages.flatMap((name) => [...after(name)]));
    if (options.from !== null) {
      const from = after(options.from);
      for (const name of from) this.forced.add(name);
      this.reused = new Set(names.filter((name) => !from.has(name)));
    } else {
      this.reused = new Set();
    }
    for (const stage of stored.view.stages) this.restore(stage);
  }

  get runId(): string {
    return this.stored.view.runId;
  }

  cancel(): void {
    this.cancelled = true;
    this.abort.abort();
  }

  /**
   * The app is closing: stop following without cancelling anything or writing anything more.
   * Jobs run on under the queue; the next start resumes this run from its rows.
   */
  detach(): void {
    this.detached = true;
    this.abort.abort();
  }

  async drive(): Promise<PipelineRunView> {
    const runner = await this.deps.resolveRunner(this.stored.view.options.runner);
    const running = new Map<string, Promise<void>>();
    for (;;) {
      if (this.detached) return this.stored.view;
      this.skipCutOff();
      if (!this.abort.signal.aborted) {
        for (const stage of this.ready(running)) running.set(stage.name, this.runStage(stage, runner).finally(() => running.delete(stage.name)));
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    if (this.detached) return this.stored.view;
    const status = this.cancelled ? 'cancelled' : this.error !== null || this.definition.stages.some((s) => this.status.get(s.name) === 'failed') ? 'failed' : 'succeeded';
    this.deps.repo.endRun(this.runId, status, this.error ?? (status === 'cancelled' ? 'cancelled by a user' : null), this.deps.now());
    this.ended = status;
    this.publish(null);
    return this.deps.repo.getRun(this.runId)!.view;
  }

  private restore(stage: StageRunView): void {
    if (DONE.has(stage.status) && stage.key !== null) {
      this.status.set(stage.name, stage.status);
      this.results.set(stage.name, { key: stage.key, runId: stage.runId, model: stage.model, deployment: stage.deployment });
    } else if (ENDED.has(stage.status)) {
      this.status.set(stage.name, stage.status);
    } else {
      // Running when the app stopped: its job (if it had one) is followed again, not started again.
      if (stage.jobId !== null && stage.key !== null) this.resumed.set(stage.name, { jobId: stage.jobId, runId: stage.runId });
      this.status.set(stage.name, 'pending');
    }
  }

  private ready(running: Map<string, Promise<void>>): StageDefinition[] {
    return this.definition.stages.filter((stage) => this.status.get(stage.name) === 'pending' && !running.has(stage.name) && stage.needs.every((need) => DONE.has(this.status.get(need) ?? 'pending')));
  }

  /** Stages behind a failure, or every pending one once the run is cancelled, never run. */
  private skipCutOff(): void {
    let changed = true;
    while (changed) {
      changed = false;
      for (const stage of this.definition.stages) {
        if (this.status.get(stage.name) !== 'pending') continue;
        const cutOff = this.cancelled || stage.needs.some((need) => ['failed', 'skipped', 'cancelled'].includes(this.status.get(need) ?? 'pending'));
        if (!cutOff) continue;
        const status = this.cancelled ? 'cancelled' : 'skipped';
        const failedNeed = stage.needs.find((need) => this.status.get(need) !== undefined && !DONE.has(this.status.get(need)!));
        this.setStage(stage.name, { status, message: status === 'skipped' ? `not run: '${failedNeed ?? '?'}' did not succeed` : 'cancelled before it started' });
        changed = true;
      }
    }
  }

  private async runStage(stage: StageDefinition, runner: 'docker' | 'process'): Promise<void> {
    // A stage whose job is followed again after a restart keeps the time it first started.
    const started = (this.resumed.has(stage.name) ? this.stored.view.stages.find((s) => s.name === stage.name)?.startedAt : null) ?? this.deps.now();
    this.setStage(stage.name, { status: 'running', startedAt: started, endedAt: null, message: null });
    try {
      const image = stageImage(stage);
      const digest = image === null ? null : await this.deps.imageDigest(image, runner);
      const upstreamKeys = Object.fromEntries(stage.needs.map((need) => [need, this.results.get(need)?.key ?? '']));
      const key = await this.deps.cache.keyOf(stage, { folder: this.definition.folder, file: this.definition.file, outs: this.definition.stages.flatMap((s) => s.outs), imageDigest: digest, upstreamKeys });
      this.setStage(stage.name, { key });
      const judged = await this.judgedAgainst(stage);
      const hit = await this.cacheHit(stage, key, judged);
      if (hit) {
        this.results.set(stage.name, hit);
        this.setStage(stage.name, { status: 'cached', cached: true, endedAt: this.deps.now(), runId: hit.runId, model: hit.model, deployment: hit.deployment });
        return;
      }
      if (this.cancelled) throw new StageFailure('cancelled before it started');
      // What it made before is no longer trusted: it may leave half-written outs if it fails now.
      this.deps.repo.forgetResult(this.definition.file, stage.name);
      const outcome = await this.execute(stage, runner);
      if (this.cancelled) throw new StageFailure('cancelled');
      const result: StageResult = { key, runId: outcome.runId ?? null, model: outcome.model ?? null, deployment: outcome.deployment ?? null, judged };
      const missing = stage.outs.length > 0 ? (await this.deps.cache.outputsPresent(stage)).missing : [];
      if (missing.length > 0) throw new StageFailure(`it did not make its outs: ${missing.join(', ')}`);
      this.deps.repo.recordResult(this.definition.file, stage.name, result, this.deps.now());
      this.results.set(stage.name, result);
      this.setStage(stage.name, { status: 'succeeded', endedAt: this.deps.now(), runId: result.runId, model: result.model, deployment: result.deployment, message: outcome.message ?? null });
    } catch (error) {
      if (this.detached) return;
      const cancelled = this.cancelled;
      const message = error instanceof Error ? error.message : String(error);
      this.error ??= cancelled ? null : `stage '${stage.name}' failed: ${message}`;
      this.setStage(stage.name, { status: cancelled ? 'cancelled' : 'failed', endedAt: this.deps.now(), message });
    }
  }

  private async cacheHit(stage: StageDefinition, key: string, judged: string | null): Promise<StageResult | null> {
    // DVC's always_changed: never up to date.
    if (this.forced.has(stage.name) || (stage.kind === 'cmd' && stage.alwaysChanged)) return null;
    const last = this.deps.repo.lastResult(this.definition.file, stage.name);
    if (last === null) {
      if (stage.kind === 'cmd' && stage.frozen) throw new StageFailure('it is frozen and has never run here, so its outs cannot be trusted');
      return null;
    }
    if (this.reused.has(stage.name)) return last;
    const frozen = stage.kind === 'cmd' && stage.frozen;
    if (last.key !== key && !frozen) return null;
    if ((last.judged ?? null) !== judged) return null;
    const outputs = await this.deps.cache.outputsPresent(stage);
    if (!outputs.present) {
      if (frozen) throw new StageFailure(`it is frozen but its outs are missing: ${outputs.missing.join(', ')}`);
      return null;
    }
    return (await this.stillThere(last)) ? last : null;
  }

  /** What a stage made is still there: a run, a version, a deployment deleted since is made again. */
  private async stillThere(result: StageResult): Promise<boolean> {
    const gone = async (read: () => Promise<unknown>) => {
      try {
        await read();
        return false;
      } catch (error) {
        if (error instanceof OrreryError && error.code === 'NOT_FOUND') return true;
        throw error;
      }
    };
    if (result.runId !== null && (await gone(() => this.deps.call('tracking.getRun', { runId: result.runId! })))) return false;
    if (result.model !== null && (await gone(() => this.deps.call('registry.getVersion', { name: result.model!.name, version: result.model!.version })))) return false;
    if (result.deployment !== null) {
      let serving: Deployment | null = null;
      if (await gone(async () => (serving = await this.deps.call('serving.getDeployment', { name: result.deployment! })))) return false;
      // A rollout aborted or rolled back since: the deployment no longer serves what the stage made.
      if (result.model !== null && !serving!.versions.some((v) => v.version === result.model!.version)) return false;
    }
    return true;
  }

  /**
   * An evaluate stage that must beat a registry version is judged against whichever version is in
   * Production (or behind the alias) now: a cached verdict never outlives the model it beat. It is
   * compared beside the key, not in it, so a new Production version re-judges the stage without
   * re-registering the same run after it.
   */
  private async judgedAgainst(stage: StageDefinition): Promise<string | null> {
    if (stage.kind !== 'evaluate' || !stage.beat) return null;
    const { model, alias } = stage.beat;
    let against: number | null = null;
    try {
      const found = await this.deps.call('registry.getModel', { name: model });
      against = alias !== undefined ? (found.aliases[alias] ?? null) : found.productionVersion;
    } catch (error) {
      if (!(error instanceof OrreryError && error.code === 'NOT_FOUND')) throw error;
    }
    return JSON.stringify({ model, alias: alias ?? 'Production', version: against });
  }

  private async execute(stage: StageDefinition, runner: 'docker' | 'process'): Promise<StageOutcome> {
    const resumed = this.resumed.get(stage.name);
    const follow = { call: this.deps.call, events: this.deps.events, signal: this.abort.signal, cancelled: () => this.cancelled };
    if (resumed !== undefined) {
      this.resumed.delete(stage.name);
      if (stage.kind === 'train' && stage.sweep && resumed.runId !== null) return followSweep({ ...follow, log: (line) => this.deps.repo.appendStageLog(this.runId, stage.name, line) }, resumed.runId);
      const job = await waitForJob(resumed.jobId, follow);
      if (job.status === 'finished') return { runId: job.runId };
      // A plain process ends with the app that started it: the stage was cut off, not failed.
      if (job.runner !== 'process' || job.status === 'cancelled' || this.cancelled) throw new StageFailure(`job ${job.jobId} ${job.status}${job.reason ? `: ${job.reason}` : ''} (see its log)`);
      this.deps.repo.appendStageLog(this.runId, stage.name, `job ${job.jobId} (a plain process) ended with the app that ran it; the stage runs again`);
    }
    const context: StageContext = {
      stage,
      definition: this.definition,
      options: this.stored.view.options,
      runner,
      upstream: this.results,
      call: this.deps.call,
      events: this.deps.events,
      log: (line) => {
        if (this.detached) return;
        this.deps.repo.appendStageLog(this.runId, stage.name, line);
        this.publish(stage.name);
      },
      update: (patch) => this.setStage(stage.name, patch),
      signal: this.abort.signal,
      cancelled: () => this.cancelled,
      now: this.deps.now,
    };
    return runStageKind(context);
  }

  private setStage(name: string, patch: Parameters<PipelineRepository['updateStage']>[2]): void {
    if (this.detached) return;
    if (patch.status !== undefined) this.status.set(name, patch.status);
    this.deps.repo.updateStage(this.runId, name, patch);
    // A version waiting for approval holds the run until someone acts: they are told.
    const notice = patch.status === 'waiting-approval' ? { title: `Pipeline ${this.definition.name} waits for approval`, body: `Stage ${name}: ${patch.message ?? 'a version waits for approval'}` } : null;
    this.publish(name, notice);
  }

  private publish(stage: string | null, notice: { title: string; body: string } | null = null): void {
    this.deps.events.publish('pipelines.run', { runId: this.runId, file: this.definition.file, status: this.ended ?? 'running', stage, notice });
  }
}
