import type { TriggerReason } from '../pipeline-definition';

/** Starts a pipeline run; `done` settles when the run ends (however it ends). */
export type StartRun = (pipelineFile: string, reason: TriggerReason) => Promise<{ runId: string; done: Promise<unknown> }>;

export type RunRequestOutcome =
  /** A run started for this request. */
  | { started: true; runId: string }
  /** A run is going: this request joins the one follow-up run that starts when it ends. */
  | { started: false; runningRunId: string | null; waiting: number };

interface GateState {
  /** The run going now; '' while its start is still being awaited. */
  runId: string | null;
  pending: TriggerReason[];
}

export interface RunGateOptions {
  startRun: StartRun;
  /** A follow-up run could not start (the file became invalid): the reason it was for and the error. */
  onStartFailed?: (pipelineFile: string, reason: TriggerReason, error: unknown) => void;
}

/**
 * At most one run per pipeline file. What is asked for during a run is coalesced: however many
 * triggers arrive, one follow-up run starts when the current one ends, carrying all their reasons.
 */
export class RunGate {
  private readonly states = new Map<string, GateState>();
  private closed = false;

  constructor(private readonly options: RunGateOptions) {}

  /** Starts a run now, or queues the reason for the follow-up when one is going. */
  async request(pipelineFile: string, reason: TriggerReason): Promise<RunRequestOutcome> {
    const state = this.states.get(pipelineFile);
    if (state) {
      state.pending.push(reason);
      return { started: false, runningRunId: state.runId || null, waiting: state.pending.length };
    }
    if (this.closed) throw new Error(`triggers are stopped: no run of ${pipelineFile} starts`);
    return { started: true, runId: await this.launch(pipelineFile, reason) };
  }

  /** A run started elsewhere (resumed after a restart) holds the gate until it ends. */
  track(pipelineFile: string, runId: string, done: Promise<unknown>): void {
    const state = this.states.get(pipelineFile);
    if (state) throw new Error(`${pipelineFile} already has a run going (${state.runId || 'starting'})`);
    this.states.set(pipelineFile, { runId, pending: [] });
    this.whenDone(pipelineFile, done);
  }

  /** The run going for a file (null: none; '' while it starts). */
  running(pipelineFile: string): string | null {
    return this.states.get(pipelineFile)?.runId ?? null;
  }

  /** No run starts after this, follow-ups included; runs going now carry on. */
  close(): void {
    this.closed = true;
    for (const state of this.states.values()) state.pending = [];
  }

  /** Starts a run holding the gate; a start that throws frees the gate and throws to the caller. */
  private async launch(pipelineFile: string, reason: TriggerReason): Promise<string> {
    const state: GateState = { runId: '', pending: [] };
    this.states.set(pipelineFile, state);
    try {
      const { runId, done } = await this.options.startRun(pipelineFile, reason);
      state.runId = runId;
      this.whenDone(pipelineFile, done);
      return runId;
    } catch (error) {
      this.ended(pipelineFile);
      throw error;
    }
  }

  private whenDone(pipelineFile: string, done: Promise<unknown>): void {
    done.then(
      () => this.ended(pipelineFile),
      () => this.ended(pipelineFile),
    );
  }

  private ended(pipelineFile: string): void {
    const state = this.states.get(pipelineFile);
    this.states.delete(pipelineFile);
    if (!state || state.pending.length === 0 || this.closed) return;
    const reason = followUp(state.pending);
    this.launch(pipelineFile, reason).catch((error: unknown) => this.options.onStartFailed?.(pipelineFile, reason, error));
  }
}

/** One reason for the triggers that came during a run: the first one's kind, every one's detail. */
export function followUp(reasons: TriggerReason[]): TriggerReason {
  const flat = reasons.flatMap((r) => r.coalesced ?? [r]);
  if (flat.length === 1) return flat[0]!;
  return { kind: flat[0]!.kind, detail: flat.map((r) => r.detail).join('; '), coalesced: flat };
}
