/**
 * How an allocation's GPUs reach a job: Docker's HostConfig.DeviceRequests for containers, and
 * CUDA_VISIBLE_DEVICES for a plain process. Both take nvidia-smi indices.
 */

/** One entry of the Docker Engine API's HostConfig.DeviceRequests. */
export interface DeviceRequest {
  Driver: string;
  DeviceIDs: string[];
  Capabilities: string[][];
}

function assertIndices(gpuIndices: readonly number[]): void {
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
  assertIndices(gpuIndices);
  if (gpuIndices.length === 0) return [];
  return [{ Driver: 'nvidia', DeviceIDs: gpuIndices.map(String), Capabilities: [['gpu']] }];
}

/** CUDA_VISIBLE_DEVICES for these GPUs: '0,2'. An empty string hides every GPU from CUDA. */
export function cudaVisibleDevices(gpuIndices: readonly number[]): string {
  assertIndices(gpuIndices);
  return gpuIndices.join(',');
}

/**
 * The environment a plain process needs to see exactly these GPUs. CUDA numbers devices fastest
 * first by default, which can differ from nvidia-smi's bus order; PCI_BUS_ID makes the indices agree.
 */
export function gpuEnvFor(gpuIndices: readonly number[]): { CUDA_DEVICE_ORDER: 'PCI_BUS_ID'; CUDA_VISIBLE_DEVICES: string } {
  return { CUDA_DEVICE_ORDER: 'PCI_BUS_ID', CUDA_VISIBLE_DEVICES: cudaVisibleDevices(gpuIndices) };
}

export const NVIDIA_RUNTIME_FIX = 'sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker';

// dockerd's words when no runtime/plugin serves the "gpu" capability (seen from Debian's 20.10).
// The driver name is left open: a request with an empty Driver is refused the same way.
const REFUSAL = /could not select device driver "[^"]*" with capabilities: \[\[gpu\]\]/;

/**
 * Whether an engine error carries the refusal in any of its texts: dockerode puts the engine's own
 * text under json.message, wrappers keep the original under cause. Objects deeper than 3 levels are
 * not searched, which also ends a cycle.
 */
function carriesRefusal(error: unknown, depth = 0): boolean {
  if (typeof error === 'string') return REFUSAL.test(error);
  if (depth > 3 || typeof error !== 'object' || error === null) return false;
  const record = error as Record<string, unknown>;
  return ['message', 'reason', 'json', 'cause'].some((key) => carriesRefusal(record[key], depth + 1));
}

/**
 * A plain message when the engine refused a GPU request because it has no NVIDIA runtime, or null
 * when the error is something else.
 */
export function engineGpuRefusal(error: unknown): string | null {
  if (!carriesRefusal(error)) return null;
  return (
    'This Docker engine has no NVIDIA runtime, so it cannot give the container GPUs. ' +
    `Install the NVIDIA Container Toolkit, then: ${NVIDIA_RUNTIME_FIX}`
  );
}
