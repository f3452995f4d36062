import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiXml } from '../../../electron/services/hardware/nvidia-smi-xml';
import { deviceRequestsFor } from '../../../electron/services/docker/device-requests';
import { engineGpuRefusal } from '../../../electron/services/docker/gpu-refusal';
import { cudaVisibleDevices, gpuEnvFor } from '../../../electron/services/training/gpu-env';

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
  const plainMessage =
    'This Docker engine has no NVIDIA runtime, so it cannot give the container GPUs. ' +
    'Install the NVIDIA Container Toolkit, then: sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker';

  // docker-modem's shape: "(HTTP code 500) server error - <engine message> ", reason, statusCode and json.
  const dockerode = (engineMessage: string) =>
    Object.assign(new Error(`(HTTP code 500) server error - ${engineMessage} `), { reason: 'server error', statusCode: 500, json: { message: engineMessage } });

  it.each([
    ['as dockerode throws it', dockerode(REFUSAL_TEXT)],
    ['as an error message', new Error(REFUSAL_TEXT)],
    ['as plain text', REFUSAL_TEXT],
    ['as a reason', { statusCode: 500, reason: REFUSAL_TEXT }],
    ["as the engine's reply only (json.message)", { statusCode: 500, json: { message: REFUSAL_TEXT } }],
    ["as the engine's reply in plain text (json)", { statusCode: 500, json: REFUSAL_TEXT }],
    ['as the cause of another error', new Error('start failed', { cause: new Error(REFUSAL_TEXT) })],
    [
      'behind two wrappers, in the engine reply only',
      new Error('launch failed', { cause: new Error('Docker could not start the container', { cause: { statusCode: 500, json: { message: REFUSAL_TEXT } } }) }),
    ],
  ])('recognises the engine refusal %s, and names the fix', (_how, error) => {
    expect(engineGpuRefusal(error)).toBe(plainMessage);
  });

  it('also when the request named no driver', () => {
    expect(engineGpuRefusal(new Error('could not select device driver "" with capabilities: [[gpu]]'))).toBe(plainMessage);
  });

  it('leaves unrelated errors alone', () => {
    for (const error of [
      dockerode('No such image: trainer:latest'),
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

  it('answers for an error that refers to itself instead of searching it forever', () => {
    const looped: Error & { json?: unknown } = new Error('start failed');
    looped.cause = looped;
    looped.json = looped;
    expect(engineGpuRefusal(looped)).toBeNull();
  });
});
