import { randomUUID } from 'node:crypto';
import type { DeploymentRow, DeploymentVersionRow } from './deployment-repository';
import { pickFreePort } from './port-picker';
import type { ReplicaResources } from './ports';
import type { ReplicaSpec } from './replica-runtime';
import type { ReplicaSet } from './replica-set';

const GIB = 1024 ** 3;

/**
 * Replicas with their share of the machine: reserves each replica's GPUs, CPUs and memory in the
 * ledger training jobs use, picks its port, starts it, and gives everything back when it stops.
 * A group that cannot all start is undone whole: no stray container, no reservation left.
 */
export class ReplicaProvisioner {
  constructor(
    private readonly replicas: ReplicaSet,
    private readonly resources: () => Promise<ReplicaResources>,
    /** Ports promised to deployments' gateways, which replicas must not take. */
    private readonly gatewayPorts: () => number[],
  ) {}

  /** Starts `count` more replicas of a version and resolves once all are ready; all or none. */
  async launch(deployment: DeploymentRow, version: DeploymentVersionRow, count: number): Promise<string[]> {
    return this.start(await this.reserve(deployment, version, count));
  }

  /**
   * Takes the resources and ports of `count` replicas now, or none of them: a refusal names who
   * holds what is missing. start() runs them; release() gives them back unstarted.
   */
  async reserve(deployment: DeploymentRow, version: DeploymentVersionRow, count: number): Promise<ReplicaSpec[]> {
    const ledger = await this.resources();
    const specs: ReplicaSpec[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const replicaId = randomUUID().replace(/-/g, '');
        const allocation = ledger.reserve(holderId(replicaId), label(deployment.name, version.version, replicaId), {
          gpus: deployment.settings.gpus,
          cpus: deployment.settings.cpus,
          memoryGb: deployment.settings.memoryGb,
        });
        const taken = new Set([...this.gatewayPorts(), ...this.replicas.ports(), ...specs.map((s) => s.port)]);
        specs.push({
          replicaId,
          deployment: deployment.name,
          version: version.version,
          port: await pickFreePort(taken),
          image: version.image,
          modelPath: version.modelPath,
          cpus: allocation.cpus,
          memoryBytes: allocation.memoryBytes || Math.round(deployment.settings.memoryGb * GIB),
          gpuIndices: allocation.gpuIndices,
          gpuUuids: allocation.gpuUuids,
          timeoutSeconds: deployment.settings.timeoutSeconds,
          maxBodyBytes: Math.round(deployment.settings.maxBodyMb * 1024 * 1024),
        });
      }
    } catch (error) {
      this.release(ledger, specs);
      if (specs.length === 0) throw error;
      throw this.wholeAskRefusal(ledger, deployment, count) ?? error;
    }
    return specs;
  }

  /** Runs reserved replicas and resolves once all are ready; when one fails, all stop and the error is thrown. */
  async start(specs: ReplicaSpec[]): Promise<string[]> {
    const results = await Promise.allSettled(specs.map((spec) => this.replicas.launch(spec)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.all(specs.map((spec) => this.stop(spec.replicaId, 0)));
      throw failed.reason;
    }
    return specs.map((s) => s.replicaId);
  }

  /**
   * When the 3rd of 5 replicas does not fit, the ledger names the first two as holders. Asking for
   * all of them at once (and giving it back) gives the refusal a user can act on: what the whole
   * group needs, what is free, and who else holds it.
   */
  private wholeAskRefusal(ledger: ReplicaResources, deployment: DeploymentRow, count: number): unknown {
    const probe = `probe:${randomUUID()}`;
    const { gpus, cpus, memoryGb } = deployment.settings;
    try {
      ledger.reserve(probe, 'this request', { gpus: gpus * count, cpus: cpus * count, memoryGb: memoryGb * count });
      ledger.release(probe);
      return null;
    } catch (refusal) {
      return refusal;
    }
  }

  /** Gives back reservations that were never started. */
  async unreserve(specs: ReplicaSpec[]): Promise<void> {
    this.release(await this.resources(), specs);
  }

  private release(ledger: ReplicaResources, specs: ReplicaSpec[]): void {
    for (const spec of specs) ledger.release(holderId(spec.replicaId));
  }

  async stop(replicaId: string, graceSeconds = 5): Promise<void> {
    try {
      await this.replicas.stop(replicaId, graceSeconds);
    } finally {
      (await this.resources()).release(holderId(replicaId));
    }
  }

  async stopVersion(deployment: string, version: number, graceSeconds = 5): Promise<void> {
    await Promise.all(this.replicas.specsOf(deployment, version).map((spec) => this.stop(spec.replicaId, graceSeconds)));
  }

  /** After a restart: a container found by its labels takes its resources back and is followed again. */
  async adopt(spec: ReplicaSpec, containerId: string, running: boolean): Promise<void> {
    (await this.resources()).restore(holderId(spec.replicaId), label(spec.deployment, spec.version, spec.replicaId), {
      gpuIndices: spec.gpuIndices,
      gpuUuids: spec.gpuUuids,
      cpus: spec.cpus,
      memoryBytes: spec.memoryBytes,
    });
    this.replicas.adopt(spec, containerId, running);
  }
}

function holderId(replicaId: string): string {
  return `replica:${replicaId}`;
}

function label(deployment: string, version: number, replicaId: string): string {
  return `replica ${replicaId.slice(0, 8)} of deployment ${deployment} (version ${version})`;
}
