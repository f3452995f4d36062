/** How GPUs reach a plain process: CUDA_VISIBLE_DEVICES, by nvidia-smi index. */
import { assertGpuIndices } from '../docker/device-requests';

/** CUDA_VISIBLE_DEVICES for these GPUs: '0,2'. An empty string hides every GPU from CUDA. */
export function cudaVisibleDevices(gpuIndices: readonly number[]): string {
  assertGpuIndices(gpuIndices);
  return gpuIndices.join(',');
}

/**
 * The environment a plain process needs to see exactly these GPUs. CUDA numbers devices fastest
 * first by default, which can differ from nvidia-smi's bus order; PCI_BUS_ID makes the indices agree.
 */
export function gpuEnvFor(gpuIndices: readonly number[]): { CUDA_DEVICE_ORDER: 'PCI_BUS_ID'; CUDA_VISIBLE_DEVICES: string } {
  return { CUDA_DEVICE_ORDER: 'PCI_BUS_ID', CUDA_VISIBLE_DEVICES: cudaVisibleDevices(gpuIndices) };
}
