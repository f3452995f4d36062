import type { Deployment } from '../../../../shared/contract/serving';
import { plural } from './serving-format';

/** An action on a live URL that needs a confirmation first. */
export type ConfirmedAction = 'stop' | 'promote' | 'rollback' | 'abort';

export interface Confirmation {
  title: string;
  /** What will happen, in words, before the user agrees. */
  text: string;
  label: string;
  busyLabel: string;
}

function replicasOf(d: Deployment, version: number): number {
  return d.versions.find((v) => v.version === version)?.replicas.length ?? 0;
}

/** "1 replica stops", "2 replicas stop". */
function replicasStop(count: number): string {
  return `${plural(count, 'replica')} ${count === 1 ? 'stops' : 'stop'}`;
}

/** The question asked before stopping a deployment or ending its rollout by hand. */
export function confirmationOf(action: ConfirmedAction, d: Deployment): Confirmation {
  const rollout = d.rollout;
  if (action === 'stop' || rollout === null) {
    const replicas = d.versions.reduce((n, v) => n + v.replicas.length, 0);
    return {
      title: `Stop ${d.name}?`,
      text: `Its ${replicasStop(replicas)} and ${replicas === 1 ? 'frees its' : 'free their'} resources; ${d.url} answers 503 until you start it again.${rollout && !['promoted', 'rolled-back', 'aborted'].includes(rollout.state) ? ' The running rollout is stopped too.' : ''}`,
      label: 'Stop',
      busyLabel: 'Stopping…',
    };
  }
  const from = rollout.fromVersion;
  const to = rollout.toVersion;
  const toReplicas = replicasStop(replicasOf(d, to));
  const fromReplicas = replicasStop(replicasOf(d, from));
  switch (action) {
    case 'promote': {
      const alias = d.settings.promoteAlias ? ` @${d.settings.promoteAlias} moves to version ${to}.` : '';
      const shadow = rollout.strategy === 'shadow' ? ' (so far it only got copies of requests)' : '';
      return {
        title: `Promote version ${to}?`,
        text: `Promote: version ${to} takes all traffic${shadow} and becomes stable; version ${from}'s ${fromReplicas}.${alias} The analysis does not decide any more.`,
        label: 'Promote',
        busyLabel: 'Promoting…',
      };
    }
    case 'rollback':
      return {
        title: `Roll back to version ${from}?`,
        text: `Roll back: version ${from} takes all traffic and version ${to}'s ${toReplicas}. The rollout ends as rolled back.`,
        label: 'Roll back',
        busyLabel: 'Rolling back…',
      };
    case 'abort':
      return {
        title: 'Abort the rollout?',
        text: `Abort: the rollout stops where it is; version ${from} takes all traffic and version ${to}'s ${toReplicas}. The rollout ends as aborted.`,
        label: 'Abort',
        busyLabel: 'Aborting…',
      };
  }
}
