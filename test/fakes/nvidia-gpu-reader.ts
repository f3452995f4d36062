import type { GpuInfo, GpuSample } from '../../shared/contract/hardware';
import type { NvidiaGpuReader } from '../../electron/services/hardware/hardware-service';

/**
 * nvidia-smi as the hardware service sees it: these GPUs (none by default, with `error` as the
 * reason nvidia-smi gave) and these samples.
 */
export function fakeNvidiaGpuReader(options: { gpus?: GpuInfo[]; error?: string | null; samples?: GpuSample[] } = {}): NvidiaGpuReader {
  const gpus = options.gpus ?? [];
  const error = options.error !== undefined ? options.error : gpus.length > 0 ? null : 'nvidia-smi was not found';
  return { readGpus: async () => ({ gpus, error }), readSamples: async () => options.samples ?? [] };
}
