import { PARENT_RUN_TAG } from '../../../shared/contract/tracking';
import { OrreryError } from '../../../shared/errors';
import type { Caller } from '../../services/auth/caller';
import type { TrackingService } from '../../services/tracking/tracking-service';
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

/** How long after its run ended a job's token still works. */
const ENDED_GRACE_MS = 5 * 60_000;

/**
 * Tags a job may not set: the parent link (which would move runs between trees) and Orrery's
 * own records of how the job ran (its uid, runner, end reason).
 */
function checkTagKeys(keys: readonly unknown[]): void {
  for (const key of keys) {
    if (key === PARENT_RUN_TAG) throw refused(`a job may not change ${PARENT_RUN_TAG}`);
    if (typeof key === 'string' && key.startsWith('orrery.')) throw refused(`a job may not set Orrery's own tags (${key.slice(0, 80)})`);
  }
}

/**
 * What a training job's token may do: log to its own run and read it back, create child runs
 * under it (sweeps, nested runs) and use those the same way, and read its run's experiment.
 * Anything else (other runs, experiments, search) is refused, whatever the job sends.
 */
export class MlflowJobScope {
  constructor(
    private readonly tracking: TrackingService,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws FORBIDDEN unless the caller may call this route with these parameters. */
  checkRoute(caller: Caller, route: string, params: MlflowParams): void {
    if (caller.kind === 'user') return;
    const root = caller.runId;
    this.checkLive(root);
    if (RUN_ROUTES.has(route)) {
      this.checkRun(caller, params.string('run_id', 'run_uuid'));
      if (route === 'POST runs/set-tag' || route === 'POST runs/delete-tag') checkTagKeys([params.raw('key')]);
      if (route === 'POST runs/log-batch') checkTagKeys(params.objectList('tags').map((tag) => tag.key));
      return;
    }
    switch (route) {
      case 'GET metrics/get-history-bulk-interval':
        for (const runId of params.stringList('run_ids')) this.checkRun(caller, runId);
        return;
      case 'POST runs/create': {
        const tags = params.objectList('tags');
        const parents = tags.filter((tag) => tag.key === PARENT_RUN_TAG).map((tag) => tag.value);
        const parent = parents[0];
        if (parents.length !== 1 || typeof parent !== 'string' || !this.tracking.isInRunTree(root, parent)) {
          throw refused(`a job creates only child runs of its own run (exactly one tag ${PARENT_RUN_TAG} = ${root} or one of its child runs)`);
        }
        checkTagKeys(tags.filter((tag) => tag.key !== PARENT_RUN_TAG).map((tag) => tag.key));
        if ((params.optionalString('experiment_id') ?? '0') !== this.experimentOf(root)) throw refused("a job's child runs belong to its run's experiment");
        return;
      }
      case 'GET experiments/get':
        if (params.string('experiment_id') !== this.experimentOf(root)) throw refused("a job reads only its own run's experiment");
        return;
      case 'GET experiments/get-by-name': {
        // The same refusal whether the name exists or not: a job learns nothing about other experiments.
        const own = this.tracking.getExperiment(this.experimentOf(root)).name;
        if (params.string('experiment_name') !== own) throw refused("a job reads only its own run's experiment");
        return;
      }
      default:
        throw refused(`a job's token reaches only its own run, not ${route.split(' ')[1]}`);
    }
  }

  /** Throws FORBIDDEN unless the caller may touch this run (artifacts, metrics, tags). */
  checkRun(caller: Caller, runId: string): void {
    if (caller.kind === 'user') return;
    this.checkLive(caller.runId);
    if (!this.tracking.isInRunTree(caller.runId, runId)) throw refused(`a job's token reaches only run ${caller.runId} and its child runs`);
  }

  /**
   * A job's token works while its run is live, and for a short while after it ended (a script
   * may still upload what it wrote last); after that a leaked token is worth nothing.
   */
  private checkLive(root: string): void {
    // The bare row, not the hydrated run: this runs on every request a job makes.
    const run = this.tracking.getRunSummary(root);
    if (run.endTime !== null && run.status !== 'RUNNING' && run.status !== 'SCHEDULED' && this.now() - run.endTime > ENDED_GRACE_MS) {
      throw refused(`the job's run ${root} ended at ${new Date(run.endTime).toISOString()}; its token is no longer valid`);
    }
  }

  private experimentOf(runId: string): string {
    return this.tracking.getRunSummary(runId).experimentId;
  }
}

function refused(reason: string): OrreryError {
  return new OrreryError('FORBIDDEN', `Permission denied: ${reason}.`);
}
