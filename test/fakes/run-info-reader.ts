import type { RunDetail } from '../../shared/contract/tracking';
import { OrreryError } from '../../shared/errors';
import type { RunInfoReader } from '../../electron/services/registry/ports';

/** The registry's view of tracking, in memory: runs and experiment names a test sets up. */
export class InMemoryRunInfo implements RunInfoReader {
  private readonly runs = new Map<string, RunDetail>();
  private readonly experiments = new Map<string, string>();

  addExperiment(experimentId: string, name: string): void {
    this.experiments.set(experimentId, name);
  }

  /** A finished, active run in `experimentId`; `fields` override any of its parts. */
  addRun(runId: string, experimentId: string, fields: Partial<RunDetail> = {}): RunDetail {
    const run: RunDetail = {
      runId,
      experimentId,
      name: `run ${runId.slice(0, 6)}`,
      status: 'FINISHED',
      startTime: 1,
      endTime: 2,
      userId: 'alice',
      lifecycleStage: 'active',
      parentRunId: null,
      artifactUri: `orrery-artifacts:/${experimentId}/${runId}/artifacts`,
      params: {},
      metrics: {},
      tags: {},
      inputs: [],
      source: { command: null, sourceName: null, imageDigest: null, gitCommit: null, gitBranch: null, gitDirty: null },
      environment: null,
      ...fields,
    };
    this.runs.set(runId, run);
    return run;
  }

  getRunDetail(runId: string): RunDetail {
    const run = this.runs.get(runId);
    if (!run) throw new OrreryError('NOT_FOUND', `Run with id=${runId} not found`);
    return run;
  }

  getExperiment(experimentId: string): { name: string } {
    const name = this.experiments.get(experimentId);
    if (name === undefined) throw new OrreryError('NOT_FOUND', `No experiment with id ${experimentId}`);
    return { name };
  }
}
