import type { Readable } from 'node:stream';
import type { ArtifactEntry, Experiment, RunDetail } from '../../../shared/contract/tracking';

/**
 * What the registry needs from tracking, and nothing more: the run a version is registered from
 * (its params, metrics, inputs, source) and its experiment's name. TrackingService satisfies it;
 * compose.ts passes it in, so the registry never depends on the tracking area's class.
 */
export interface RunInfoReader {
  getRunDetail(runId: string): RunDetail;
  getExperiment(experimentId: string): Pick<Experiment, 'name'>;
}

/**
 * Reading a run's artifact folder, confined to that run: the listing of a folder (relative paths
 * from the run's root; a missing folder is empty, and a file answers INVALID_INPUT '… is not a
 * folder') and one file's bytes. ArtifactStore satisfies it.
 */
export interface RunArtifactsReader {
  list(experimentId: string, runId: string, segments: readonly string[]): Promise<ArtifactEntry[]>;
  open(experimentId: string, runId: string, segments: readonly string[]): Promise<{ stream: Readable }>;
}
