import { type DatasetInput, type LatestMetric, type Run, type RunDetail, type RunSource, PARENT_RUN_TAG } from '../../../shared/contract/tracking';
import type { InputRow, RunRow } from './run-repository';
import type { DatasetInputIn } from './tracking-inputs';

type KeyValue = { key: string; value: string };

export const RUN_NAME_TAG = 'mlflow.runName';

/** Builds the contract's Run from its rows. */
export function toRun(row: RunRow, params: KeyValue[], tags: KeyValue[], metrics: LatestMetric[]): Run {
  const tagMap = Object.fromEntries(tags.map((t) => [t.key, t.value]));
  return {
    runId: row.run_id,
    experimentId: String(row.experiment_id),
    name: row.name,
    status: row.status,
    startTime: row.start_time,
    endTime: row.end_time,
    userId: row.user_id,
    lifecycleStage: row.lifecycle_stage,
    parentRunId: tagMap[PARENT_RUN_TAG] ?? null,
    artifactUri: row.artifact_uri,
    params: Object.fromEntries(params.map((p) => [p.key, p.value])),
    metrics: Object.fromEntries(metrics.map((m) => [m.key, m])),
    tags: tagMap,
  };
}

export function toRunDetail(run: Run, row: RunRow, inputs: InputRow[]): RunDetail {
  return { ...run, inputs: inputs.map(toDatasetInput), source: sourceOf(run.tags), environment: parseEnvironment(row.environment) };
}

export function toDatasetInput(row: InputRow): DatasetInput {
  return {
    name: row.name,
    digest: row.digest,
    sourceType: row.source_type,
    source: row.source,
    schema: row.schema,
    profile: row.profile,
    tags: JSON.parse(row.tags) as Record<string, string>,
  };
}

/** A logged dataset input as its row stores it: tags as one JSON object. */
export function toInputRow(d: DatasetInputIn): InputRow {
  return {
    name: d.name,
    digest: d.digest,
    source_type: d.sourceType,
    source: d.source,
    schema: d.schema,
    profile: d.profile,
    tags: JSON.stringify(Object.fromEntries(d.tags.map((t) => [t.key, t.value]))),
  };
}

/** Provenance from the tags MLflow clients (and Orrery's runners) set. */
export function sourceOf(tags: Record<string, string>): RunSource {
  const dirty = tags['orrery.git.dirty'];
  return {
    command: tags['orrery.command'] ?? null,
    sourceName: tags['mlflow.source.name'] ?? null,
    imageDigest: tags['orrery.image.digest'] ?? null,
    gitCommit: tags['mlflow.source.git.commit'] ?? null,
    gitBranch: tags['mlflow.source.git.branch'] ?? null,
    gitDirty: dirty === undefined ? null : dirty === 'true',
  };
}

function parseEnvironment(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}
