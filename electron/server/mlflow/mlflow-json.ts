import type { DatasetInput, Experiment, Run, RunDetail } from '../../../shared/contract/tracking';

type Json = Record<string, unknown>;

const keyValues = (record: Record<string, string>) => Object.entries(record).map(([key, value]) => ({ key, value }));

/** Protobuf JSON leaves out empty lists and unset fields; MLflow clients expect that shape. */
function withoutEmpty(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0)));
}

export function experimentJson(experiment: Experiment): Json {
  return withoutEmpty({
    experiment_id: experiment.experimentId,
    name: experiment.name,
    artifact_location: experiment.artifactLocation,
    lifecycle_stage: experiment.lifecycleStage,
    last_update_time: experiment.lastUpdateTime,
    creation_time: experiment.creationTime,
    tags: keyValues(experiment.tags),
  });
}

export function runInfoJson(run: Run): Json {
  return withoutEmpty({
    run_uuid: run.runId,
    experiment_id: run.experimentId,
    run_name: run.name,
    user_id: run.userId,
    status: run.status,
    start_time: run.startTime,
    end_time: run.endTime,
    artifact_uri: run.artifactUri,
    lifecycle_stage: run.lifecycleStage,
    run_id: run.runId,
  });
}

export function runJson(run: Run, inputs: DatasetInput[] = (run as Partial<RunDetail>).inputs ?? []): Json {
  return {
    info: runInfoJson(run),
    data: withoutEmpty({
      metrics: Object.values(run.metrics).map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step })),
      params: keyValues(run.params),
      tags: keyValues(run.tags),
    }),
    inputs: withoutEmpty({
      dataset_inputs: inputs.map((d) => ({
        tags: keyValues(d.tags),
        dataset: withoutEmpty({ name: d.name, digest: d.digest, source_type: d.sourceType, source: d.source, schema: d.schema, profile: d.profile }),
      })),
    }),
    // MLflow 3 reports logged-model outputs here; Orrery's model registry is separate, so none.
    outputs: {},
  };
}
