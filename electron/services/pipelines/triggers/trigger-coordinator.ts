import { isAbsolute } from 'node:path';
import type { TriggerReason } from '../pipeline-definition';
import { missedSince, nextAfter, validateCron } from './cron-schedule';
import { followUp, RunGate, type RunRequestOutcome, type StartRun } from './run-gate';
import { realTimers, type Timers } from './trigger-timers';
import type { IdentifiedTrigger, TriggerWatchers, WatchedTrigger } from './trigger-watchers';

/** What the triggers remember across restarts, by trigger id (the app keeps it in SQLite). */
export interface TriggerStateStore {
  /** When the cron trigger last looked for fire times (ms since epoch); null: never. */
  getLastCronCheck(triggerId: string): number | null;
  setLastCronCheck(triggerId: string, at: number): void;
  getLastDatasetHash(triggerId: string): string | null;
  setLastDatasetHash(triggerId: string, hash: string): void;
  getLastCommit(triggerId: string): string | null;
  setLastCommit(triggerId: string, sha: string): void;
}

export interface TriggerProblem {
  pipelineFile: string;
  triggerId: string;
  message: string;
}

export interface TriggerCoordinatorOptions {
  startRun: StartRun;
  state: TriggerStateStore;
  watchers: TriggerWatchers;
  clock?: () => number;
  timers?: Timers;
  /** A watched path is gone, a branch is missing, git fails: shown on the pipeline's triggers. */
  onProblem?: (problem: TriggerProblem) => void;
  /** A run a trigger asked for could not start (the file became invalid): worth an alert. */
  onStartFailed?: (pipelineFile: string, reason: TriggerReason, error: unknown) => void;
}

interface Armed {
  trigger: IdentifiedTrigger;
  stop(): void;
}

/**
 * Starts pipeline runs from their triggers: cron times (with one catch-up run for a time missed
 * while Orrery was closed), dataset changes, new commits and monitoring alerts. One run per
 * pipeline at a time; what triggers during a run gives one follow-up run (see RunGate).
 */
export class TriggerCoordinator {
  private readonly clock: () => number;
  private readonly timers: Timers;
  private readonly gate: RunGate;
  private readonly specs = new Map<string, IdentifiedTrigger[]>();
  private readonly armed = new Map<string, Map<string, Armed>>();
  private readonly nextFire = new Map<string, number>();
  private started = false;
  private stopped = false;

  constructor(private readonly options: TriggerCoordinatorOptions) {
    this.clock = options.clock ?? Date.now;
    this.timers = options.timers ?? realTimers;
    this.gate = new RunGate({ startRun: options.startRun, onStartFailed: options.onStartFailed });
  }

  /**
   * Replaces a pipeline's triggers (from its file, the app or the command line); an empty list
   * removes them. Triggers whose id and spec are unchanged keep running undisturbed. Throws, and
   * changes nothing, when one is invalid.
   */
  setTriggers(pipelineFile: string, triggers: IdentifiedTrigger[]): void {
    triggers.forEach((trigger, i) => checkTrigger(trigger, `triggers[${i}]`));
    const ids = new Set<string>();
    for (const trigger of triggers) {
      if (ids.has(trigger.id)) throw new Error(`triggers: id ${trigger.id} is used twice`);
      ids.add(trigger.id);
    }
    if (triggers.length) this.specs.set(pipelineFile, triggers.map((t) => ({ ...t })));
    else this.specs.delete(pipelineFile);
    if (!this.started || this.stopped) return;
    const missed = this.arm(pipelineFile);
    if (missed) void this.fire(pipelineFile, missed);
  }

  triggersOf(pipelineFile: string): IdentifiedTrigger[] {
    return (this.specs.get(pipelineFile) ?? []).map((t) => ({ ...t }));
  }

  /** Arms every trigger; each pipeline with a cron time missed since its last check gets one catch-up run. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const catchUps: Array<[string, TriggerReason]> = [];
    for (const file of this.specs.keys()) {
      const missed = this.arm(file);
      if (missed) catchUps.push([file, missed]);
    }
    await Promise.all(catchUps.map(([file, reason]) => this.fire(file, reason)));
  }

  /** Stops every watcher and timer; no run starts after this (runs going now carry on). */
  stop(): void {
    this.stopped = true;
    this.gate.close();
    for (const file of [...this.armed.keys()]) this.disarmAll(file);
  }

  /** Runs a pipeline now (manual, or any trigger), or coalesces into the follow-up of the run going. */
  request(pipelineFile: string, reason: TriggerReason): Promise<RunRequestOutcome> {
    return this.gate.request(pipelineFile, reason);
  }

  /** A run that did not start here (resumed after a restart) holds the pipeline until it ends. */
  track(pipelineFile: string, runId: string, done: Promise<unknown>): void {
    this.gate.track(pipelineFile, runId, done);
  }

  /** The run going for a pipeline (null: none; '' while it is starting). */
  running(pipelineFile: string): string | null {
    return this.gate.running(pipelineFile);
  }

  /** The next cron time of a pipeline (ms since epoch), or null when it has no armed cron trigger. */
  nextCronFire(pipelineFile: string): number | null {
    const times = [...(this.armed.get(pipelineFile)?.keys() ?? [])].map((id) => this.nextFire.get(id)).filter((t): t is number => t !== undefined);
    return times.length ? Math.min(...times) : null;
  }

  /** Brings the armed watchers and timers of a file in line with its specs; returns the catch-up run's reason, if one is due. */
  private arm(pipelineFile: string): TriggerReason | null {
    const wanted = this.specs.get(pipelineFile) ?? [];
    const armed = this.armed.get(pipelineFile) ?? new Map<string, Armed>();
    this.armed.set(pipelineFile, armed);
    for (const [id, current] of armed) {
      const still = wanted.find((t) => t.id === id);
      if (!still || !sameTrigger(still, current.trigger)) {
        current.stop();
        armed.delete(id);
      }
    }
    const missed: TriggerReason[] = [];
    for (const trigger of wanted) {
      if (armed.has(trigger.id)) continue;
      if (trigger.kind === 'cron') {
        if (this.missedWhileClosed(trigger)) missed.push({ kind: 'cron', detail: `cron ${trigger.expression} (catch-up: a time passed while Orrery was closed)` });
        armed.set(trigger.id, { trigger, stop: this.armCron(pipelineFile, trigger) });
      } else {
        armed.set(trigger.id, { trigger, stop: this.armWatcher(pipelineFile, trigger) });
      }
    }
    if (armed.size === 0) this.armed.delete(pipelineFile);
    return missed.length ? followUp(missed) : null;
  }

  private disarmAll(pipelineFile: string): void {
    for (const current of this.armed.get(pipelineFile)?.values() ?? []) current.stop();
    this.armed.delete(pipelineFile);
  }

  /** Whether a fire time fell between the last check and now; the check is recorded as done now. */
  private missedWhileClosed(trigger: IdentifiedTrigger & { kind: 'cron' }): boolean {
    const now = this.clock();
    const last = this.options.state.getLastCronCheck(trigger.id);
    this.options.state.setLastCronCheck(trigger.id, now);
    return last !== null && last < now && missedSince(trigger.expression, new Date(last), new Date(now));
  }

  /** A timer aimed at the next fire time, re-aimed after each; returns its stop function. */
  private armCron(pipelineFile: string, trigger: IdentifiedTrigger & { kind: 'cron' }): () => void {
    let handle: unknown = null;
    let active = true;
    const aim = (after: number): void => {
      const next = nextAfter(trigger.expression, new Date(after));
      if (!active || next === null) return void this.nextFire.delete(trigger.id);
      const at = next.getTime();
      this.nextFire.set(trigger.id, at);
      const wake = (): void => {
        handle = null;
        if (!active) return;
        const now = this.clock();
        // Woken early (a far-off time, a clock that moved back): wait for the rest.
        if (now < at) return void (handle = this.timers.setTimeout(wake, at - now));
        this.options.state.setLastCronCheck(trigger.id, now);
        void this.fire(pipelineFile, { kind: 'cron', detail: `cron ${trigger.expression}` });
        aim(Math.max(now, at));
      };
      handle = this.timers.setTimeout(wake, at - this.clock());
    };
    aim(this.clock());
    return () => {
      active = false;
      if (handle !== null) this.timers.clearTimeout(handle);
      handle = null;
      this.nextFire.delete(trigger.id);
    };
  }

  private armWatcher(pipelineFile: string, trigger: WatchedTrigger): () => void {
    const { state } = this.options;
    const lastSeen = trigger.kind === 'dataset' ? state.getLastDatasetHash(trigger.id) : trigger.kind === 'commit' ? state.getLastCommit(trigger.id) : null;
    let active = true;
    const watcher = this.options.watchers.watch(trigger, {
      lastSeen,
      remember: (value) => {
        if (!active) return;
        if (trigger.kind === 'dataset') state.setLastDatasetHash(trigger.id, value);
        else if (trigger.kind === 'commit') state.setLastCommit(trigger.id, value);
      },
      fire: (reason) => {
        if (active) void this.fire(pipelineFile, reason);
      },
      problem: (message) => {
        if (active) this.options.onProblem?.({ pipelineFile, triggerId: trigger.id, message });
      },
    });
    return () => {
      active = false;
      watcher.stop();
    };
  }

  /** A trigger's run request; one that cannot start is reported, never thrown into a timer. */
  private async fire(pipelineFile: string, reason: TriggerReason): Promise<void> {
    if (this.stopped) return;
    try {
      await this.gate.request(pipelineFile, reason);
    } catch (error) {
      this.options.onStartFailed?.(pipelineFile, reason, error);
    }
  }
}

function sameTrigger(a: IdentifiedTrigger, b: IdentifiedTrigger): boolean {
  const canonical = (t: IdentifiedTrigger) => JSON.stringify(Object.entries(t).sort(([x], [y]) => x.localeCompare(y)));
  return canonical(a) === canonical(b);
}

/** Throws an error naming the field when a trigger is not usable. */
function checkTrigger(trigger: IdentifiedTrigger, where: string): void {
  if (typeof trigger.id !== 'string' || trigger.id === '') throw new Error(`${where}.id: must be a non-empty string`);
  switch (trigger.kind) {
    case 'cron':
      try {
        validateCron(trigger.expression);
      } catch (error) {
        throw new Error(`${where}.expression: ${(error as Error).message}`);
      }
      return;
    case 'dataset':
      if (!isAbsolute(trigger.path)) throw new Error(`${where}.path: "${trigger.path}" must be an absolute path`);
      return;
    case 'commit':
      if (!isAbsolute(trigger.repo)) throw new Error(`${where}.repo: "${trigger.repo}" must be an absolute path`);
      if (!trigger.branch || trigger.branch.startsWith('-') || /\s/.test(trigger.branch)) throw new Error(`${where}.branch: "${trigger.branch}" is not a branch name`);
      return;
    case 'alert':
      if (!trigger.deployment) throw new Error(`${where}.deployment: must name a deployment`);
      return;
    default:
      throw new Error(`${where}.kind: "${(trigger as { kind: unknown }).kind}" is not a trigger kind (cron, dataset, commit, alert)`);
  }
}
