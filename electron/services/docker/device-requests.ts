/** How GPUs reach a container: Docker's HostConfig.DeviceRequests, by nvidia-smi index. */

/** One entry of the Docker Engine API's HostConfig.DeviceRequests. */
export interface DeviceRequest {
  Driver: string;
  DeviceIDs: string[];
  Capabilities: string[][];
}

export function assertGpuIndices(gpuIndices: readonly number[]): void {
  for (const index of gpuIndices) {
    if (!Number.isInteger(index) || index < 0) throw new Error(`GPU index ${index} is not a whole number of 0 or more`);
  }
}

/**
 * The DeviceRequests that give a container exactly these GPUs. DeviceIDs only, never Count: the
 * engine refuses a request that sets both, and Count would let it pick GPUs another job holds.
 * No GPUs gives no request at all, so the container needs no NVIDIA runtime.
 */
export function deviceRequestsFor(gpuIndices: readonly number[]): DeviceRequest[] {
  assertGpuIndices(gpuIndices);
  if (gpuIndices.length === 0) return [];
  return [{ Driver: 'nvidia', DeviceIDs: gpuIndices.map(String), Capabilities: [['gpu']] }];
}
