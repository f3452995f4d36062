import type { Experiment } from '../../../shared/contract/tracking';
import type { ExperimentRow, ExperimentStats } from './experiment-repository';

/** An experiment as the contract gives it: its row, tags, run count and last activity. */
export function toExperiment(row: ExperimentRow, stats: ExperimentStats, tags: Record<string, string>): Experiment {
  return {
    experimentId: String(row.experiment_id),
    name: row.name,
    artifactLocation: row.artifact_location,
    lifecycleStage: row.lifecycle_stage,
    creationTime: row.creation_time,
    lastUpdateTime: row.last_update_time,
    tags,
    runCount: stats.run_count,
    lastActivity: Math.max(stats.last_activity ?? 0, row.last_update_time),
  };
}
