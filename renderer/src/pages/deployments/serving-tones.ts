import type { DeploymentStatus, ReplicaState, RolloutState } from '../../../../shared/contract/serving';
import type { BadgeTone } from '../../components/Badge';

/** How deployment, replica and rollout states look as badges. */
export const statusTone: Record<DeploymentStatus, BadgeTone> = { starting: 'warn', running: 'ok', degraded: 'warn', stopped: 'neutral', failed: 'bad' };
export const replicaTone: Record<ReplicaState, BadgeTone> = { starting: 'warn', ready: 'ok', restarting: 'warn', failed: 'bad', stopped: 'neutral' };
export const rolloutStateTone: Record<RolloutState, BadgeTone> = {
  starting: 'warn',
  'waiting-for-traffic': 'warn',
  analysing: 'ok',
  paused: 'neutral',
  switching: 'warn',
  promoted: 'ok',
  'rolled-back': 'bad',
  aborted: 'neutral',
};
