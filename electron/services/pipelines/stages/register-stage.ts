import type { GateSpec } from '../../../../shared/contract/registry';
import type { RegisterStage } from '../pipeline-definition';
import { StageFailure, upstreamRun, type StageContext, type StageOutcome } from './stage-context';

export const PIPELINE_ACTOR = 'pipeline';

/**
 * A registry version from the trained run, then an approval request, or the approval itself when
 * the pipeline says so and every gate of the model passed.
 */
export async function runRegisterStage(context: StageContext<RegisterStage>): Promise<StageOutcome> {
  const { stage, definition } = context;
  const runId = upstreamRun(context, stage.from);
  const actor = `${PIPELINE_ACTOR}:${definition.name}`;
  const version = await context.call('registry.registerFromRun', { runId, path: stage.path, name: stage.model, description: `Registered by pipeline ${definition.name}`, actor });
  const model = { name: version.name, version: version.version };
  context.update({ model, runId });
  context.log(`registered ${version.name} version ${version.version} from run ${runId}${stage.path ? ` (${stage.path})` : ''}`);
  if (version.gateStatus === 'failed') {
    const failed = version.gates.filter((gate) => !gate.passed).map((gate) => `${describeGate(gate.gate)} expects ${gate.expected}, has ${gate.actual ?? 'nothing'}`);
    throw new StageFailure(`version ${version.version} fails the model's gates: ${failed.join('; ')}`);
  }
  if (stage.autoApprove) {
    await context.call('registry.approve', { name: stage.model, version: version.version, reviewer: actor, comment: 'auto-approved: every gate passed' });
    context.log(`approved version ${version.version} (auto_approve; every gate passed)`);
    return { runId, model, message: `version ${version.version} registered and approved` };
  }
  await context.call('registry.requestApproval', { name: stage.model, version: version.version, actor, comment: `from pipeline ${definition.name}` });
  context.log(`asked for approval of version ${version.version}`);
  return { runId, model, message: `version ${version.version} registered; approval requested` };
}

function describeGate(gate: GateSpec): string {
  return gate.kind === 'metric' ? gate.metric : gate.kind === 'required_file' ? `file ${gate.path}` : 'size';
}
