import { describe, expect, it } from 'vitest';
import type { RolloutState } from '../../../../shared/contract/serving';
import { OrreryError } from '../../../../shared/errors';
import { EventBus } from '../../../../electron/services/events/event-bus';
import type { DeployStage, PipelineDefinition } from '../../../../electron/services/pipelines/pipeline-definition';
import type { AppCall } from '../../../../electron/services/pipelines/ports';
import { runDeployStage } from '../../../../electron/services/pipelines/stages/deploy-stage';
import type { StageContext } from '../../../../electron/services/pipelines/stages/stage-context';

/**
 * What the deploy stage asks serving for, given the deployment as it finds it: a new one on a
 * first run, a rollout of a new version, nothing when the version already serves or its rollout
 * is already going (a restarted app re-running the stage), and a rollout again after an ended one.
 */
const stage: DeployStage = {
  kind: 'deploy',
  name: 'deploy',
  needs: ['register'],
  deps: [],
  outs: [],
  params: {},
  line: 1,
  from: 'register',
  deployment: 'digits',
  strategy: 'canary',
  settings: { steps: [10, 100] },
  replicas: 1,
  approvalTimeoutMs: 60_000,
};
const definition: PipelineDefinition = { file: '/p/orrery.pipeline.yaml', folder: '/p', name: 'digits', dialect: 'orrery', stages: [stage], triggers: [] };

interface Found {
  stable: number;
  rollout: { toVersion: number; state: RolloutState } | null;
}

function deploy(version: number, found: Found | null) {
  const calls: Array<[string, Record<string, unknown>]> = [];
  const call = (async (method: string, input: Record<string, unknown>) => {
    calls.push([method, input]);
    if (method === 'registry.getModel') return { approvals: [{ version, status: 'approved' }] };
    if (method === 'serving.getDeployment') {
      if (!found) throw new OrreryError('NOT_FOUND', 'no deployment');
      return {
        modelName: 'digits',
        versions: [{ version: found.stable, role: 'stable' }],
        rollout: found.rollout ? { strategy: 'canary', fromVersion: found.stable, ...found.rollout } : null,
      };
    }
    return {};
  }) as unknown as AppCall;
  const context: StageContext<DeployStage> = {
    stage,
    definition,
    options: { force: false, forceStages: [], from: null, runner: 'docker' },
    runner: 'docker',
    upstream: new Map([['register', { key: 'k', runId: null, model: { name: 'digits', version }, deployment: null }]]),
    call,
    events: new EventBus(),
    log: () => undefined,
    update: () => undefined,
    signal: new AbortController().signal,
    cancelled: () => false,
    now: () => Date.now(),
  };
  return runDeployStage(context).then((outcome) => ({ outcome, changes: calls.map(([method]) => method).filter((m) => m.startsWith('serving.') && m !== 'serving.getDeployment') }));
}

describe('the deploy stage', () => {
  it('creates the deployment on a first run', async () => {
    const { outcome, changes } = await deploy(1, null);
    expect(changes).toEqual(['serving.createDeployment']);
    expect(outcome.message).toBe('deployment digits created with version 1');
  });

  it('starts a canary of a new version', async () => {
    const { outcome, changes } = await deploy(2, { stable: 1, rollout: null });
    expect(changes).toEqual(['serving.startRollout']);
    expect(outcome.message).toBe('canary of version 2 started');
  });

  it('starts a canary after an earlier rollout ended', async () => {
    const { changes } = await deploy(3, { stable: 2, rollout: { toVersion: 2, state: 'promoted' } });
    expect(changes).toEqual(['serving.startRollout']);
  });

  it('changes nothing when the version already serves, even after the rollout that made it stable', async () => {
    for (const rollout of [null, { toVersion: 2, state: 'promoted' as const }]) {
      const { outcome, changes } = await deploy(2, { stable: 2, rollout });
      expect(changes).toEqual([]);
      expect(outcome.message).toBe('version 2 already serves');
    }
  });

  it('changes nothing when a rollout of this version is already going (started before the app stopped)', async () => {
    const { outcome, changes } = await deploy(2, { stable: 1, rollout: { toVersion: 2, state: 'waiting-for-traffic' } });
    expect(changes).toEqual([]);
    expect(outcome.message).toBe('canary of version 2 already going');
  });
});
