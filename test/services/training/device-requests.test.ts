import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiXml } from '../../../electron/services/hardware/nvidia-smi-xml';
import {
  cudaVisibleDevices,
  deviceRequestsFor,
  engineGpuRefusal,
  gpuEnvFor,
} from '../../../electron/services/training/device-requests';

const fixtureDir = new URL('../../fixtures/hardware/', import.meta.url);
const multiGpuFixtures = readdirSync(fixtureDir)
  .filter((name) => name.endsWith('.xml'))
  .sort()
  .map((name) => [name, parseNvidiaSmiXml(readFileSync(new URL(name, fixtureDir), 'utf8')).gpus] as const)
  .filter(([, gpus]) => gpus.length > 1);

// The engine's words from a real Debian dockerd 20.10 without the NVIDIA runtime.
const REFUSAL_TEXT = 'could not select device driver "nvidia" with capabilities: [[gpu]]';

describe('DeviceRequests from the multi-GPU fixtures', () => {
  it('covers all five multi-GPU captures', () => {
    expect(multiGpuFixtures).toHaveLength(5);
  });

  it.each(multiGpuFixtures)('%s: every GPU, field by field', (_name, gpus) => {
    const requests = deviceRequestsFor(gpus.map((gpu) => gpu.index));
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(Object.keys(request!).sort()).toEqual(['Capabilities', 'DeviceIDs', 'Driver']);
    expect(request).not.toHaveProperty('Count');
    expect(request!.Driver).toBe('nvidia');
    expect(request!.DeviceIDs).toEqual(gpus.map((_gpu, position) => String(position)));
    expect(request!.Capabilities).toEqual([['gpu']]);
  });

  it('a subset of the 4× K80 keeps nvidia-smi indices (not minor numbers)', () => {
    expect(deviceRequestsFor([1, 3])).toEqual([{ Driver: 'nvidia', DeviceIDs: ['1', '3'], Capabilities: [['gpu']] }]);
  });

  it('no GPUs asks for no device at all', () => {
    expect(deviceRequestsFor([])).toEqual([]);
  });

  it('refuses an index that is not a whole number of 0 or more', () => {
    expect(() => deviceRequestsFor([-1])).toThrow(/GPU index -1/);
    expect(() => cudaVisibleDevices([0.5])).toThrow(/GPU index 0.5/);
  });
});

describe('CUDA_VISIBLE_DEVICES for a plain process', () => {
  it('lists the indices, or nothing to hide every GPU', () => {
    expect(cudaVisibleDevices([0, 2])).toBe('0,2');
    expect(cudaVisibleDevices([1])).toBe('1');
    expect(cudaVisibleDevices([])).toBe('');
  });

  it('pins CUDA to nvidia-smi (PCI bus) order', () => {
    expect(gpuEnvFor([0, 2])).toEqual({ CUDA_DEVICE_ORDER: 'PCI_BUS_ID', CUDA_VISIBLE_DEVICES: '0,2' });
    expect(gpuEnvFor([])).toEqual({ CUDA_DEVICE_ORDER: 'PCI_BUS_ID', CUDA_VISIBLE_DEVICES: '' });
  });
});

describe('engineGpuRefusal', () => {
  const fix = 'sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker';

  it('recognises the engine refusal however it arrives', () => {
    // docker-modem's shape: "(HTTP code 500) server error - <engine message> ", plus json.message.
    const dockerode = Object.assign(new Error(`(HTTP code 500) server error - ${REFUSAL_TEXT} `), {
      statusCode: 500,
      json: { message: REFUSAL_TEXT },
    });
    for (const error of [dockerode, new Error(REFUSAL_TEXT), REFUSAL_TEXT, { json: { message: REFUSAL_TEXT } }, new Error('start failed', { cause: new Error(REFUSAL_TEXT) })]) {
      const message = engineGpuRefusal(error);
      expect(message).toMatch(/^This Docker engine has no NVIDIA runtime/);
      expect(message).toContain('NVIDIA Container Toolkit');
      expect(message).toContain(fix);
    }
  });

  it('also when the request named no driver', () => {
    expect(engineGpuRefusal(new Error('could not select device driver "" with capabilities: [[gpu]]'))).not.toBeNull();
  });

  it('leaves unrelated errors alone', () => {
    for (const error of [
      new Error('(HTTP code 404) no such container - No such image: trainer:latest '),
      new Error('connect ECONNREFUSED /var/run/docker.sock'),
      new Error('could not select device driver "nvidia" with capabilities: [[compute]]'),
      { statusCode: 500, json: { message: 'OCI runtime create failed' } },
      'gpu',
      undefined,
      null,
      42,
    ]) {
      expect(engineGpuRefusal(error)).toBeNull();
    }
  });
});
