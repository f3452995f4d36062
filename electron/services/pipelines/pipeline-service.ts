import fs from 'node:fs';
import path from 'node:path';
import type { PipelineRunOptions, PipelineRunView, PipelineSummary, TriggerReasonView } from '../../../shared/contract/pipelines';
import { OrreryError } from '../../../shared/errors';
import type { PipelineDefinition } from './pipeline-definition';
import { PipelineRunDriver, type DriverDeps } from './pipeline-run-driver';

export interface PipelineServiceDeps extends DriverDeps {
  /** Reads and checks a pipeline file; throws an INVALID_INPUT OrreryError naming line and field. */
  readDefinition(file: string): Promise<PipelineDefinition>;
  newId(): string;
  /** Told when a run ends (the triggers start a coalesced follow-up; a failure raises an alert). */
  onRunEnded?(run: PipelineRunView): void;
}

export interface StartRunInput {
  file: string;
  reason: TriggerReasonView;
  options: PipelineRunOptions;
}

/**
 * Pipeline runs: starts them (one at a time per file), drives them, resumes those a stopped app
 * left running, cancels them, and lists what ran.
 */
export class PipelineService {
  private readonly drivers = new Map<string, { file: string; driver: PipelineRunDriver; done: Promise<PipelineRunView> }>();
  private closed = false;

  constructor(private readonly deps: PipelineServiceDeps) {}

  /** Re-drives the runs a stopped app left running; finished stages are not redone. */
  resume(): void {
    for (const stored of this.deps.repo.runningRuns()) this.drive(new PipelineRunDriver(this.deps, stored), stored.view.file);
  }

  /** The running run of a file, if any. */
  runningRun(file: string): string | null {
    for (const [runId, entry] of this.drivers) if (entry.file === file) return runId;
    return null;
  }

  async validate(file: string): Promise<PipelineDefinition> {
    return this.deps.readDefinition(canonicalFile(file));
  }

  async start(input: StartRunInput): Promise<{ run: PipelineRunView; done: Promise<PipelineRunView> }> {
    if (this.closed) throw new OrreryError('UNAVAILABLE', 'Orrery is closing: no pipeline run starts now');
    const file = canonicalFile(input.file);
    const definition = await this.deps.readDefinition(file);
    const names = new Set(definition.stages.map((s) => s.name));
    const unknown = (field: string, name: string) => new OrreryError('INVALID_INPUT', `${field}: '${name}' is not a stage of ${file} (stages: ${[...names].join(', ')})`);
    for (const name of input.options.forceStages) if (!names.has(name)) throw unknown('forceStage', name);
    if (input.options.from !== null && !names.has(input.options.from)) throw unknown('from', input.options.from);
    const running = this.runningRun(file);
    if (running !== null) throw new OrreryError('CONFLICT', `pipeline ${file} is already running (run ${running}); wait for it or cancel it`);

    const runId = this.deps.newId();
    this.deps.repo.createRun({ runId, definition, reason: input.reason, options: retrainOnAlert(definition, input), now: this.deps.now() });
    const stored = this.deps.repo.getRun(runId)!;
    const done = this.drive(new PipelineRunDriver(this.deps, stored), file);
    this.deps.events.publish('pipelines.run', { runId, file, status: 'running', stage: null });
    return { run: stored.view, done };
  }

  getRun(runId: string): PipelineRunView {
    const stored = this.deps.repo.getRun(runId);
    if (!stored) throw new OrreryError('NOT_FOUND', `runId: no pipeline run '${runId}'`);
    return stored.view;
  }

  latestRun(file: string): PipelineRunView | null {
    return this.deps.repo.listRuns(canonicalFile(file), 1)[0] ?? null;
  }

  listRuns(file: string | undefined, limit: number): PipelineRunView[] {
    return this.deps.repo.listRuns(file === undefined ? undefined : canonicalFile(file), limit);
  }

  cancel(runId: string): PipelineRunView {
    const view = this.getRun(runId);
    const entry = this.drivers.get(runId);
    if (!entry) throw new OrreryError('CONFLICT', `pipeline run ${runId} is not running (${view.status === 'running' ? 'it is being resumed' : `it ${view.status === 'cancelled' ? 'was cancelled' : view.status}`})`);
    entry.driver.cancel();
    return view;
  }

  /** Waits for a run to end (for `orrery pipeline run --wait` and tests). */
  async waitFor(runId: string): Promise<PipelineRunView> {
    const entry = this.drivers.get(runId);
    return entry ? entry.done : this.getRun(runId);
  }

  async summaries(nextTriggerAt: (file: string) => number | null, triggers: (file: string) => PipelineSummary['triggers']): Promise<PipelineSummary[]> {
    const summaries: PipelineSummary[] = [];
    for (const file of this.deps.repo.knownFiles()) {
      const last = this.deps.repo.listRuns(file, 1)[0] ?? null;
      let problem: string | null = null;
      let definition: PipelineDefinition | null = null;
      try {
        definition = await this.deps.readDefinition(file);
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      summaries.push({
        file,
        name: definition?.name ?? last?.name ?? path.basename(path.dirname(file)),
        dialect: definition?.dialect ?? (/dvc\.ya?ml$/.test(file) ? 'dvc' : 'orrery'),
        stageCount: definition?.stages.length ?? last?.stages.length ?? 0,
        lastRun: last ? { runId: last.runId, status: last.status, createdAt: last.createdAt, endedAt: last.endedAt } : null,
        nextTriggerAt: nextTriggerAt(file),
        triggers: triggers(file),
        problem,
      });
    }
    return summaries;
  }

  /** Stops following runs; they resume at the next start (jobs keep running under the queue). */
  close(): void {
    this.closed = true;
    for (const { driver } of this.drivers.values()) driver.detach();
  }

  private drive(driver: PipelineRunDriver, file: string): Promise<PipelineRunView> {
    const done = driver.drive().then(
      (view) => {
        this.drivers.delete(driver.runId);
        if (!this.closed && view.status !== 'running') this.deps.onRunEnded?.(view);
        return view;
      },
      (error: unknown) => {
        this.drivers.delete(driver.runId);
        console.error(`[pipelines] run ${driver.runId} stopped:`, error);
        throw error;
      },
    );
    done.catch(() => undefined);
    this.drivers.set(driver.runId, { file, driver, done });
    return done;
  }
}

/**
 * A drift or performance alert says the served model no longer fits what it sees: a run it starts
 * retrains (its train stages, and what follows them, run even when their inputs are unchanged).
 */
function retrainOnAlert(definition: PipelineDefinition, input: StartRunInput): StartRunInput['options'] {
  if (input.reason.kind !== 'alert') return input.options;
  const train = definition.stages.filter((stage) => stage.kind === 'train').map((stage) => stage.name);
  return { ...input.options, forceStages: [...new Set([...input.options.forceStages, ...train])] };
}

/**
 * A pipeline's identity: its file with symlinks resolved, so one file reached two ways is one
 * pipeline (one run at a time, one cache). A file that does not exist keeps its absolute path.
 */
export function canonicalFile(file: string): string {
  const absolute = path.resolve(file);
  try {
    return fs.realpathSync(absolute);
  } catch {
    return absolute;
  }
}
