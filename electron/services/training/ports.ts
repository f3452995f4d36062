import type { GpuSample, HardwareOverview } from '../../../shared/contract/hardware';
import type { DatasetFields, Run, RunStatus } from '../../../shared/contract/tracking';

export interface RunTag {
  key: string;
  value: string;
}

/** Metrics, params and tags written to a run at once (MLflow's log-batch). */
export interface RunBatch {
  metrics: Array<{ key: string; value: number; step: number; timestamp: number }>;
  params: RunTag[];
  tags: RunTag[];
}

/** A dataset a job mounts, recorded as one of its run's inputs. */
export interface RunDatasetInput extends DatasetFields {
  tags: RunTag[];
}

/**
 * What training needs from tracking, and nothing more: each job's run (created, tagged, fed its
 * metrics and inputs, ended) in an experiment named by the spec, and a sweep's trials read back to
 * find the best. TrackingService satisfies it; compose.ts passes it in.
 */
export interface RunTracker {
  getExperimentByName(name: string): { experimentId: string };
  createExperiment(name: string): string;
  createRun(input: { experimentId: string; name: string; tags: RunTag[] }): { runId: string };
  updateRun(runId: string, fields: { status: RunStatus; startTime?: number; endTime?: number }): unknown;
  getRun(runId: string): Pick<Run, 'tags' | 'metrics'>;
  logBatch(runId: string, batch: RunBatch): void;
  logInputs(runId: string, datasets: RunDatasetInput[]): void;
}

/** Where the files a job leaves in its outputs folder go: its run's artifacts. ArtifactStore satisfies it. */
export interface RunArtifactsWriter {
  write(experimentId: string, runId: string, segments: readonly string[], body: NodeJS.ReadableStream): Promise<unknown>;
}

/** The machine's GPUs as they are now (utilisation, memory), for a job's system metrics. */
export type GpuSampleReader = () => Promise<GpuSample[]>;

/**
 * The machine as the queue needs it: its capacity and Docker engine when the queue starts, and its
 * GPUs' use while jobs run. The hardware area's service satisfies it.
 */
export interface MachineReader {
  overview(): Promise<HardwareOverview>;
  sample(): Promise<{ gpus: GpuSample[] }>;
}
