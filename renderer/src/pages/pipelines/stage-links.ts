import type { StageRunView } from '../../../../shared/contract/pipelines';
import { routeHref } from '../../routing/route';

export interface StageLink {
  label: string;
  href: string;
  testId: string;
}

/** Where a stage's output lives in the app: its job's run (with the job log), the model version, the deployment. */
export function stageLinks(stage: StageRunView): StageLink[] {
  const links: StageLink[] = [];
  if (stage.runId) {
    links.push({ label: stage.jobId ? 'Job log and run' : 'Run', href: routeHref('runs', [stage.runId]), testId: 'stage-run-link' });
  } else if (stage.jobId) {
    links.push({ label: 'Job in the queue', href: routeHref('queue'), testId: 'stage-job-link' });
  }
  if (stage.model) {
    links.push({ label: `Model ${stage.model.name} v${stage.model.version}`, href: routeHref('models', [stage.model.name, String(stage.model.version)]), testId: 'stage-model-link' });
  }
  if (stage.deployment) {
    links.push({ label: `Deployment ${stage.deployment}`, href: routeHref('deployments', [stage.deployment]), testId: 'stage-deployment-link' });
  }
  return links;
}
