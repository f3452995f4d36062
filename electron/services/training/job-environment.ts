import type { LaunchRequest } from './job-launcher';

/** What every job sees, in a container or as a process: its run, the tracking server, its params. */
export function jobEnvironment(request: LaunchRequest): Record<string, string> {
  return {
    ...request.spec.env,
    ORRERY_JOB_ID: request.jobId,
    ORRERY_PARAMS: JSON.stringify(request.spec.hyperparameters),
    MLFLOW_TRACKING_URI: request.trackingUri,
    MLFLOW_TRACKING_TOKEN: request.trackingToken,
    MLFLOW_RUN_ID: request.runId,
    MLFLOW_EXPERIMENT_ID: request.experimentId,
    PYTHONUNBUFFERED: '1',
  };
}
