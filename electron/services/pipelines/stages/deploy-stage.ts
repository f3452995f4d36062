import type { RolloutState } from '../../../../shared/contract/serving';
import { OrreryError } from '../../../../shared/errors';
import type { DeployStage } from '../pipeline-definition';
import { PIPELINE_ACTOR } from './register-stage';
import { StageFailure, type StageContext, type StageOutcome } from './stage-context';

const ENDED_ROLLOUT: ReadonlySet<RolloutState> = new Set<RolloutState>(['promoted', 'rolled-back', 'aborted']);

/** How often a stage waiting for approval reads the request again (events wake it sooner). */
const APPROVAL_POLL_MS = 5_000;

/**
 * Rolls the registered version out to a deployment with the stage's strategy, creating the
 * deployment on a first run. A version still waiting for approval holds the stage until it is
 * approved (then it rolls out), rejected (the stage fails) or the timeout passes. The stage ends
 * once the rollout has started: the rollout goes on under serving's own analysis.
 */
export async function runDeployStage(context: StageContext<DeployStage>): Promise<StageOutcome> {
  const { stage, definition } = context;
  const made = context.upstream.get(stage.from)?.model;
  if (!made) throw new StageFailure(`stage '${stage.from}' registered no version to deploy`);
  const actor = `${PIPELINE_ACTOR}:${definition.name}`;
  context.update({ model: made, deployment: stage.deployment });
  await waitForApproval(context, made);

  const existing = await findDeployment(context, stage.deployment);
  if (!existing) {
    await context.call('serving.createDeployment', {
      name: stage.deployment,
      model: made.name,
      version: made.version,
      replicas: stage.replicas,
      ...(stage.cpus !== undefined ? { cpus: stage.cpus } : {}),
      ...(stage.memoryGb !== undefined ? { memoryGb: stage.memoryGb } : {}),
      ...(stage.gpus !== undefined ? { gpus: stage.gpus } : {}),
      actor,
    });
    context.log(`created deployment ${stage.deployment} serving ${made.name} version ${made.version}`);
    return { model: made, deployment: stage.deployment, message: `deployment ${stage.deployment} created with version ${made.version}` };
  }
  if (existing.modelName !== made.name) throw new StageFailure(`deployment ${stage.deployment} serves model ${existing.modelName}, not ${made.name}`);
  const stable = existing.versions.find((v) => v.role === 'stable');
  // `rollout` is the latest one, ended or not: only one still going holds the deployment.
  const active = existing.rollout !== null && !ENDED_ROLLOUT.has(existing.rollout.state) ? existing.rollout : null;
  if (active?.toVersion === made.version) {
    // Started before (an app stopped mid-stage resumes here): it goes on under serving's analysis.
    context.log(`a ${active.strategy} rollout of version ${made.version} on ${stage.deployment} is already going`);
    return { model: made, deployment: stage.deployment, message: `${active.strategy} of version ${made.version} already going` };
  }
  if (stable?.version === made.version && active === null) {
    context.log(`deployment ${stage.deployment} already serves version ${made.version}`);
    return { model: made, deployment: stage.deployment, message: `version ${made.version} already serves` };
  }
  await context.call('serving.startRollout', { name: stage.deployment, version: made.version, strategy: stage.strategy, settings: stage.settings, actor });
  context.log(`started a ${stage.strategy} rollout of version ${made.version} on ${stage.deployment}${stable ? ` (stable: version ${stable.version})` : ''}`);
  return { model: made, deployment: stage.deployment, message: `${stage.strategy} of version ${made.version} started` };
}

async function findDeployment(context: StageContext, name: string) {
  try {
    return await context.call('serving.getDeployment', { name });
  } catch (error) {
    if (error instanceof OrreryError && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}

async function approvalOf(context: StageContext, model: { name: string; version: number }): Promise<'approved' | 'rejected' | 'open'> {
  const detail = await context.call('registry.getModel', { name: model.name });
  const requests = detail.approvals.filter((a) => a.version === model.version);
  if (requests.some((a) => a.status === 'approved')) return 'approved';
  if (requests.length > 0 && requests.every((a) => a.status === 'rejected')) return 'rejected';
  return 'open';
}

async function waitForApproval(context: StageContext<DeployStage>, model: { name: string; version: number }): Promise<void> {
  let state = await approvalOf(context, model);
  if (state === 'approved') return;
  const deadline = context.now() + context.stage.approvalTimeoutMs;
  context.update({ status: 'waiting-approval', message: `waiting for approval of ${model.name} version ${model.version}` });
  context.log(`waiting for approval of ${model.name} version ${model.version}`);
  while (state === 'open') {
    const left = deadline - context.now();
    if (left <= 0) throw new StageFailure(`version ${model.version} was not approved within ${formatDuration(context.stage.approvalTimeoutMs)}`);
    await wakeOnRegistryChange(context, Math.min(left, APPROVAL_POLL_MS));
    if (context.signal.aborted) throw new StageFailure(context.cancelled() ? 'cancelled while waiting for approval' : 'Orrery is closing; the run resumes at the next start');
    state = await approvalOf(context, model);
  }
  if (state === 'rejected') throw new StageFailure(`version ${model.version} was rejected`);
  context.update({ status: 'running', message: null });
  context.log(`version ${model.version} approved`);
}

function wakeOnRegistryChange(context: StageContext, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      off();
      context.signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const off = context.events.subscribe('registry.version', done);
    context.signal.addEventListener('abort', done);
  });
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}
