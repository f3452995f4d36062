import type { AlertView, PipelineAlertView } from '../../../../shared/contract/monitoring';
import { routeHref } from '../../routing/route';

/** The pipeline behind an alert; null for a deployment rule's alert. */
export function pipelineOf(alert: AlertView): PipelineAlertView | null {
  return alert.pipeline ?? null;
}

/** Where a pipeline alert leads: its latest failed run, or the pipeline when no run could start. */
export function pipelineAlertHref(p: Pick<PipelineAlertView, 'file' | 'runId'>): string {
  return p.runId !== null ? routeHref('pipeline-runs', [p.runId]) : routeHref('pipelines', [p.file]);
}

/** "stage train" / "did not start" / "run failed": what failed, beside the alert's title. */
export function pipelineFailureSubject(p: Pick<PipelineAlertView, 'runId' | 'stage'>): string {
  if (p.runId === null) return 'did not start';
  return p.stage !== null ? `stage ${p.stage}` : 'run failed';
}
