import type { ModelVersionDetail } from '../../../shared/contract/registry';

/**
 * What serving needs from the registry: a version by number or alias (its immutable folder, its
 * flavors, its approvals) and moving an alias to a promoted version. ModelRegistryService satisfies it.
 */
export interface ModelVersionReader {
  getVersion(name: string, ref: number | { alias: string }): ModelVersionDetail;
  setAlias(input: { name: string; alias: string; version: number; actor: string; move?: boolean }): unknown;
}

/** What a replica holds of the machine: GPUs by nvidia-smi index, CPUs and memory (bytes). */
export interface ReplicaAllocation {
  gpuIndices: number[];
  gpuUuids: (string | null)[];
  cpus: number;
  memoryBytes: number;
}

/**
 * The machine's one ledger of GPUs, CPUs and memory, shared with training jobs so a GPU is never
 * given to a job and a replica at once. A replica does not queue: reserve() takes the resources
 * now or throws CONFLICT naming the jobs and replicas that hold them. The training area's service
 * satisfies it.
 */
export interface ReplicaResources {
  reserve(holderId: string, holderLabel: string, resources: { gpus: number; cpus: number; memoryGb: number }): ReplicaAllocation;
  release(holderId: string): void;
  /** After a restart: re-take what a running replica holds (recorded even when it clashes). */
  restore(holderId: string, holderLabel: string, allocation: ReplicaAllocation): void;
}
