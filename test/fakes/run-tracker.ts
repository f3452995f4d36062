import type { LatestMetric, RunStatus } from '../../shared/contract/tracking';
import { OrreryError } from '../../shared/errors';
import type { RunBatch, RunDatasetInput, RunTag, RunTracker } from '../../electron/services/training/ports';

export interface TrackedRun {
  runId: string;
  experimentId: string;
  name: string;
  status: RunStatus;
  endTime: number | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, LatestMetric>;
  /** Every metric point logged, in order. */
  history: Array<{ key: string; value: number; step: number; timestamp: number }>;
  inputs: RunDatasetInput[];
}

/** Training's view of tracking, in memory: experiments by name, runs with their tags, params, metrics and status. */
export class InMemoryRunTracker implements RunTracker {
  readonly runs = new Map<string, TrackedRun>();
  private readonly experiments = new Map<string, string>();
  private nextRun = 1;

  getExperimentByName(name: string): { experimentId: string } {
    const experimentId = this.experiments.get(name);
    if (experimentId === undefined) throw new OrreryError('NOT_FOUND', `Could not find experiment with name ${name}`);
    return { experimentId };
  }

  createExperiment(name: string): string {
    const experimentId = String(this.experiments.size + 1);
    this.experiments.set(name, experimentId);
    return experimentId;
  }

  createRun(input: { experimentId: string; name: string; tags: RunTag[] }): { runId: string } {
    const runId = (this.nextRun++).toString(16).padStart(32, '0');
    this.runs.set(runId, {
      runId,
      experimentId: input.experimentId,
      name: input.name,
      status: 'RUNNING',
      endTime: null,
      params: {},
      tags: Object.fromEntries(input.tags.map((t) => [t.key, t.value])),
      metrics: {},
      history: [],
      inputs: [],
    });
    return { runId };
  }

  run(runId: string): TrackedRun {
    const run = this.runs.get(runId);
    if (!run) throw new OrreryError('NOT_FOUND', `Run with id=${runId} not found`);
    return run;
  }

  updateRun(runId: string, fields: { status: RunStatus; endTime?: number }): TrackedRun {
    const run = this.run(runId);
    run.status = fields.status;
    if (fields.endTime !== undefined) run.endTime = fields.endTime;
    return run;
  }

  getRun(runId: string): TrackedRun {
    return this.run(runId);
  }

  logBatch(runId: string, batch: RunBatch): void {
    const run = this.run(runId);
    for (const p of batch.params) run.params[p.key] = p.value;
    for (const t of batch.tags) run.tags[t.key] = t.value;
    for (const m of batch.metrics) {
      run.history.push(m);
      const latest = run.metrics[m.key];
      if (!latest || m.step >= latest.step) run.metrics[m.key] = { key: m.key, value: m.value, step: m.step, timestamp: m.timestamp };
    }
  }

  logInputs(runId: string, datasets: RunDatasetInput[]): void {
    this.run(runId).inputs.push(...datasets);
  }
}
