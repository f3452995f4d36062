import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Deployment, DeploymentEventView, RolloutState } from '../../../shared/contract/serving';
import type { ModelVersion } from '../../../shared/contract/registry';
import { makeModelFolders, type ModelFolders } from '../../helpers/model-folders';
import { dockerAvailable } from '../../helpers/requirements';
import { removeReplicaContainers, startServingServer, until, type ServingServer } from '../../helpers/serving-server';

/**
 * What the serving tests share: a data dir, the model folders, the built app serving from it, and
 * the clean-up of every replica container its Orrery started, whatever happened.
 */
const IMAGES = ['orrery/serve:local', 'orrery/python:local'];

/** Docker answers and the images exist; a loud skip otherwise, a failure when ORRERY_REQUIRE_DOCKER=1. */
export const servingReady = await (async () => {
  if (!(await dockerAvailable())) return false;
  const missing = IMAGES.filter((image) => spawnSync('docker', ['image', 'inspect', image], { stdio: 'ignore' }).status !== 0);
  if (missing.length === 0) return true;
  const problem = `the images ${missing.join(', ')} do not exist: run npm run images`;
  if (process.env.ORRERY_REQUIRE_DOCKER === '1') throw new Error(`ORRERY_REQUIRE_DOCKER=1 but ${problem}`);
  console.warn(`\n*** SKIPPING serving tests: ${problem}. Set ORRERY_REQUIRE_DOCKER=1 to make this a failure. ***\n`);
  return false;
})();

export const ENDED: RolloutState[] = ['promoted', 'rolled-back', 'aborted'];

/**
 * Reservations small enough for a 2-CPU machine to hold every replica a test starts at once (at
 * most 4), yet not so small that a replica's CPU quota makes loading its model crawl.
 */
export const SMALL = { cpus: 0.5, memoryGb: 0.25 };

export interface ServingWorld {
  root: string;
  dataDir: string;
  models: ModelFolders;
  server: ServingServer;
}

export async function openWorld(prefix: string, options: { slowMs?: number } = {}): Promise<ServingWorld> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dataDir = path.join(root, 'data');
  const models = await makeModelFolders(path.join(root, 'models'), options);
  const server = await startServingServer(dataDir);
  return { root, dataDir, models, server };
}

/** Stops the server and removes its replica containers and folders; safe on a half-opened world. */
export async function closeWorld(world: Partial<ServingWorld> & { root?: string }, dataDir?: string): Promise<void> {
  await world.server?.stop().catch(() => undefined);
  const dir = world.dataDir ?? dataDir;
  if (dir) await removeReplicaContainers(dir);
  if (world.root) fs.rmSync(world.root, { recursive: true, force: true });
}

/** Registers folders as versions 1, 2, … of `model`, in order. */
export async function register(server: ServingServer, model: string, folders: string[]): Promise<number[]> {
  const versions: number[] = [];
  for (const folder of folders) {
    const version = await server.call<ModelVersion>('registry.registerFromFolder', { name: model, folder, actor: 'tester' });
    versions.push(version.version);
  }
  return versions;
}

export function getDeployment(server: ServingServer, name: string): Promise<Deployment> {
  return server.call<Deployment>('serving.getDeployment', { name });
}

export function events(server: ServingServer, name: string): Promise<DeploymentEventView[]> {
  return server.call<DeploymentEventView[]>('serving.listEvents', { name, limit: 500 });
}

/** Waits until the deployment's rollout is in one of `states`; returns the deployment then. */
export function rolloutReaches(server: ServingServer, name: string, states: RolloutState[], ms = 90_000): Promise<Deployment> {
  return until(
    `the rollout of ${name} to reach ${states.join(' or ')}`,
    async () => {
      const deployment = await getDeployment(server, name);
      return deployment.rollout && states.includes(deployment.rollout.state) ? deployment : undefined;
    },
    ms,
  );
}

/** The deployment's versions as [version, role, weight] rows, for one readable assertion. */
export function traffic(deployment: Deployment): Array<[number, string, number]> {
  return deployment.versions.map((v) => [v.version, v.role, v.weight] as [number, string, number]).sort((a, b) => a[0] - b[0]);
}
