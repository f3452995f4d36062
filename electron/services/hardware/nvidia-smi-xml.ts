import { XMLParser } from 'fast-xml-parser';
import type { GpuInfo } from '../../../shared/contract/hardware';
import { nvidiaNumber, nvidiaValue } from './nvidia-smi-csv';

export interface NvidiaSmiXml {
  driverVersion: string | null;
  cudaVersion: string | null;
  gpus: GpuInfo[];
}

type XmlNode = Record<string, unknown>;

// Values stay strings: nvidia-smi mixes numbers, units and N/A, and versions like 10.0 must not become 10.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
});

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function child(node: unknown, name: string): unknown {
  return isNode(node) ? node[name] : undefined;
}

/** Text at a path below node; null when absent, not a leaf, or an nvidia-smi "no value". */
function text(node: unknown, ...path: string[]): string | null {
  const leaf = path.reduce<unknown>((current, name) => child(current, name), node);
  if (typeof leaf === 'string') return nvidiaValue(leaf);
  if (typeof leaf === 'number') return String(leaf);
  // An element that also has attributes keeps its text under #text.
  const inner = child(leaf, '#text');
  return typeof inner === 'string' ? nvidiaValue(inner) : null;
}

function firstText(node: unknown, names: string[]): string | null {
  for (const name of names) {
    const value = text(node, name);
    if (value !== null) return value;
  }
  return null;
}

function gpuFromXml(gpu: XmlNode, position: number, driverVersion: string | null, cudaVersion: string | null): GpuInfo {
  // Schema v12+ moved the board's readings from power_readings to gpu_power_readings, and drivers
  // 530+ replaced power_draw/power_limit with average/instant draw and current_power_limit.
  const power = child(gpu, 'gpu_power_readings') ?? child(gpu, 'power_readings');
  return {
    vendor: 'nvidia',
    // nvidia-smi lists GPUs in its own index order (PCI bus order), the index that
    // --query-gpu=index, CUDA_VISIBLE_DEVICES and Docker's DeviceIDs use. minor_number (the
    // /dev/nvidiaN number) can differ from it, so it is not the index.
    index: position,
    uuid: text(gpu, 'uuid'),
    name: text(gpu, 'product_name') ?? 'NVIDIA GPU',
    busId: nvidiaValue(typeof gpu['@_id'] === 'string' ? gpu['@_id'] : null) ?? text(gpu, 'pci', 'pci_bus_id'),
    memoryTotalMb: nvidiaNumber(text(gpu, 'fb_memory_usage', 'total')),
    memoryUsedMb: nvidiaNumber(text(gpu, 'fb_memory_usage', 'used')),
    // N/A while MIG is on: the whole-GPU figure is not defined then.
    utilizationPercent: nvidiaNumber(text(gpu, 'utilization', 'gpu_util')),
    temperatureC: nvidiaNumber(text(gpu, 'temperature', 'gpu_temp')),
    powerDrawW: nvidiaNumber(firstText(power, ['power_draw', 'average_power_draw', 'instant_power_draw'])),
    powerLimitW: nvidiaNumber(firstText(power, ['power_limit', 'current_power_limit', 'enforced_power_limit'])),
    driverVersion,
    cudaVersion,
    migEnabled: text(gpu, 'mig_mode', 'current_mig') === 'Enabled',
  };
}

/**
 * Parse `nvidia-smi -q -x` (DTD nvsmi_device_v10 to v13). GPUs keep nvidia-smi's order and are never
 * deduplicated: UUIDs can repeat in anonymised or broken output, and each <gpu> is a real device.
 * Throws when the text is not an nvidia-smi XML log.
 */
export function parseNvidiaSmiXml(xml: string): NvidiaSmiXml {
  const log = child(parser.parse(xml), 'nvidia_smi_log');
  if (!isNode(log)) throw new Error('nvidia-smi -q -x output has no <nvidia_smi_log> element');

  const driverVersion = text(log, 'driver_version');
  const cudaVersion = text(log, 'cuda_version');
  const rawGpus = log['gpu'];
  const gpuNodes = (Array.isArray(rawGpus) ? rawGpus : rawGpus === undefined ? [] : [rawGpus]).filter(isNode);

  const gpus = gpuNodes.map((gpu, position) => gpuFromXml(gpu, position, driverVersion, cudaVersion));
  return { driverVersion, cudaVersion, gpus };
}
