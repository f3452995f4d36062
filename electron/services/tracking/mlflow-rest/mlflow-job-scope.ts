import { OrreryError } from '../../../../shared/errors';
import type { Caller } from '../../auth/caller';
import type { TrackingService } from '../tracking-service';
import type { MlflowParams } from './mlflow-params';

/** Routes that act on the one run named by `run_id`: a job may use them on its own run tree. */
const RUN_ROUTES = new Set([
  'GET runs/get',
  'POST runs/update',
  'POST runs/log-metric',
  'POST runs/log-parameter',
  'POST runs/set-tag',
  'POST runs/delete-tag',
  'POST runs/log-batch',
  'POST runs/log-inputs',
  'GET artifacts/list',
  'GET metrics/get-history',
]);

const PARENT_TAG = 'mlflow.parentRunId';

/**
 * What a training job's token may do: log to its own run and read it back, create child runs
 * under it (sweeps, nested runs) and use those the same way, and read its run's experiment.
 * Anything else (other runs, experiments, search) is refused, whatever the job sends.
 */
export class MlflowJobScope {
  constructor(private readonly tracking: TrackingService) {}

  /** Throws FORBIDDEN unless the caller may call this route with these parameters. */
  checkRoute(caller: Caller, route: string, params: MlflowParams): void {
    if (caller.kind === 'user') return;
    const root = caller.runId;
    if (RUN_ROUTES.has(route)) return this.checkRun(caller, params.string('run_id', 'run_uuid'));
    switch (route) {
      case 'GET metrics/get-history-bulk-interval':
        for (const runId of params.stringList('run_ids')) this.checkRun(caller, runId);
        return;
      case 'POST runs/create': {
        const parent = params.objectList('tags').find((tag) => tag.key === PARENT_TAG)?.value;
        if (typeof parent !== 'string' || !this.tracking.isInRunTree(root, parent)) {
          throw refused(`a job creates only child runs of its own run (tag ${PARENT_TAG} = ${root})`);
        }
        if ((params.optionalString('experiment_id') ?? '0') !== this.experimentOf(root)) throw refused("a job's child runs belong to its run's experiment");
        return;
      }
      case 'GET experiments/get':
        if (params.string('experiment_id') !== this.experimentOf(root)) throw refused("a job reads only its own run's experiment");
        return;
      case 'GET experiments/get-by-name':
        if (this.tracking.getExperimentByName(params.string('experiment_name')).experimentId !== this.experimentOf(root)) {
          throw refused("a job reads only its own run's experiment");
        }
        return;
      default:
        throw refused(`a job's token reaches only its own run, not ${route.split(' ')[1]}`);
    }
  }

  /** Throws FORBIDDEN unless the caller may touch this run (artifacts, metrics, tags). */
  checkRun(caller: Caller, runId: string): void {
    if (caller.kind === 'user') return;
    if (!this.tracking.isInRunTree(caller.runId, runId)) throw refused(`a job's token reaches only run ${caller.runId} and its child runs`);
  }

  private experimentOf(runId: string): string {
    return this.tracking.getRun(runId).experimentId;
  }
}

function refused(reason: string): OrreryError {
  return new OrreryError('FORBIDDEN', `Permission denied: ${reason}.`);
}
