import type { OrreryClient } from '../../shared/client';
import type { DeploymentLogLine } from '../../shared/contract/serving';

export interface FollowOptions {
  name: string;
  tail?: number;
  /** Resolves when the person stops following (Ctrl-C). */
  stopped: Promise<void>;
}

/**
 * `deploy logs NAME --follow`: the last lines, then every new line of this deployment's replicas
 * as the `serving.log` event brings it (lines that arrived while the tail was read are printed
 * once). Ends when stopped, or when the deployment is deleted ('deleted').
 */
export async function followLogs(client: OrreryClient, options: FollowOptions, print: (line: DeploymentLogLine) => void): Promise<'stopped' | 'deleted'> {
  let live = false;
  // Lines that came while the tail was being read.
  let held: DeploymentLogLine[] = [];
  let endDeleted = (): void => undefined;
  const deleted = new Promise<'deleted'>((resolve) => (endDeleted = () => resolve('deleted')));

  const offLog = client.on('serving.log', (line) => {
    if (line.deployment !== options.name) return;
    if (live) print(line);
    else held.push(line);
  });
  const offDeployment = client.on('serving.deployment', (event) => {
    if (event.name === options.name && event.status === null) endDeleted();
  });
  try {
    // Fails for an unknown deployment, with Orrery's message.
    const tail = await client.call('serving.readLogs', { name: options.name, ...(options.tail !== undefined ? { tail: options.tail } : {}) });
    tail.forEach(print);
    const printed = new Set(tail.map(lineKey));
    for (const line of held) if (!printed.has(lineKey(line))) print(line);
    held = [];
    live = true;
    return await Promise.race([options.stopped.then(() => 'stopped' as const), deleted]);
  } finally {
    offLog();
    offDeployment();
  }
}

function lineKey(l: DeploymentLogLine): string {
  return `${l.replicaId}\u0000${l.at}\u0000${l.stream}\u0000${l.line}`;
}
