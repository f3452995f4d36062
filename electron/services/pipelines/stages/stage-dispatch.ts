import type { StageDefinition } from '../pipeline-definition';
import { runDeployStage } from './deploy-stage';
import { runEvaluateStage } from './evaluate-stage';
import { runJobStage } from './job-stage';
import { runRegisterStage } from './register-stage';
import type { StageContext, StageOutcome } from './stage-context';
import { runValidateDataStage } from './validate-data-stage';

/** Runs one stage by its kind. */
export function runStageKind(context: StageContext): Promise<StageOutcome> {
  const stage: StageDefinition = context.stage;
  switch (stage.kind) {
    case 'job':
    case 'train':
    case 'cmd':
      return runJobStage({ ...context, stage });
    case 'validate-data':
      return runValidateDataStage({ ...context, stage });
    case 'evaluate':
      return runEvaluateStage({ ...context, stage });
    case 'register':
      return runRegisterStage({ ...context, stage });
    case 'deploy':
      return runDeployStage({ ...context, stage });
  }
}

/** The image a stage runs in, for its key; null for stages that start no container. */
export function stageImage(stage: StageDefinition): string | null {
  if (stage.kind === 'job' || stage.kind === 'train') return stage.job.image;
  if (stage.kind === 'cmd') return stage.image;
  return null;
}
