import path from 'node:path';
import type { PipelineRunView } from '../../../shared/contract/pipelines';
import { OrreryError } from '../../../shared/errors';
import type { TriggerReason } from './pipeline-definition';

/** A failure as monitoring's alerts take it (one open incident per pipeline file). */
export interface PipelineFailureReport {
  file: string;
  name: string;
  /** Null when a trigger's run could not start. */
  runId: string | null;
  stage: string | null;
  error: string;
  /** What asked for a run that could not start. */
  trigger?: string | null;
}

/** Monitoring's alerts as the pipelines see them; compose passes monitoring's AlertsService. */
export interface PipelineAlertsPort {
  raisePipelineFailure(failure: PipelineFailureReport): unknown;
  resolvePipelineFailure(recovery: { file: string }): unknown;
}

/**
 * Tells monitoring how pipelines fare: a failed run (or a trigger's run that could not start)
 * raises the pipeline's alert, a succeeded run resolves it, a cancelled one changes nothing (a
 * user stopped it; it proves neither). Alerting is a side effect: its failure is logged, never
 * thrown into the run that ended.
 */
export class PipelineFailureAlerts {
  constructor(
    private readonly alerts: PipelineAlertsPort,
    /** A pipeline's name when its file cannot be read (its last run's, else its folder's). */
    private readonly nameOf: (file: string) => string,
  ) {}

  runEnded(run: PipelineRunView): void {
    this.safely(run.file, () => {
      if (run.status === 'succeeded') this.alerts.resolvePipelineFailure({ file: run.file });
      if (run.status !== 'failed') return;
      const failed = run.stages.find((stage) => stage.status === 'failed') ?? null;
      this.alerts.raisePipelineFailure({
        file: run.file,
        name: run.name,
        runId: run.runId,
        stage: failed?.name ?? null,
        error: failed?.message ?? run.error ?? 'the run failed without saying why',
      });
    });
  }

  /** Orrery closing, or a run of the file already going, is not the pipeline failing. */
  startFailed(file: string, reason: TriggerReason, error: unknown): void {
    if (error instanceof OrreryError && (error.code === 'UNAVAILABLE' || error.code === 'CONFLICT')) return;
    this.safely(file, () =>
      this.alerts.raisePipelineFailure({
        file,
        name: this.nameOf(file),
        runId: null,
        stage: null,
        error: error instanceof Error ? error.message : String(error),
        trigger: reason.detail,
      }),
    );
  }

  private safely(file: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      console.error(`[pipelines] could not update the failure alert of ${path.basename(file)}:`, error);
    }
  }
}
