import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  gpusFromCsv,
  gpuSamplesFromCsv,
  nvidiaNumber,
  nvidiaValue,
  parseQueryGpuCsv,
  SAMPLE_QUERY_FIELDS,
  sampleQueryArgs,
} from '../../../electron/services/hardware/nvidia-smi-csv';

function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/hardware/${name}`, import.meta.url), 'utf8');
}

describe('nvidia-smi --format=csv with header and units (real captures)', () => {
  it('reads three mixed GeForce cards: memory, utilisation, temperature and power', () => {
    const gpus = gpusFromCsv(fixture('nvidia-smi-query-gpu-3xGeForce-csv.csv'));
    expect(gpus).toHaveLength(3);
    expect(gpus.map((g) => g.uuid)).toEqual([
      'GPU-20fe89bc-c8ef-5a9f-078e-efa3324d790b',
      'GPU-68988cf6-8de9-6585-a263-d2e3ea96b75a',
      'GPU-90e3dab0-b59d-8bf6-d909-d4fab8d2f29b',
    ]);
    // No index column was queried, so row order stands in for it.
    expect(gpus.map((g) => g.index)).toEqual([0, 1, 2]);
    expect(gpus.map((g) => g.memoryTotalMb)).toEqual([8119, 4043, 8119]);
    expect(gpus.map((g) => g.memoryUsedMb)).toEqual([754, 586, 641]);
    expect(gpus.map((g) => g.utilizationPercent)).toEqual([100, 100, 100]);
    expect(gpus.map((g) => g.temperatureC)).toEqual([73, 67, 68]);
    expect(gpus.map((g) => g.powerDrawW)).toEqual([213.07, 187.04, 206.44]);
    expect(gpus.map((g) => g.powerLimitW)).toEqual([216, 216, 216]);
    // Fields the query did not ask for are null, not guessed.
    expect(gpus[0]).toMatchObject({ vendor: 'nvidia', name: null, busId: null, driverVersion: null, migEnabled: null });
  });

  it('strips units from header names and from values', () => {
    const [row] = parseQueryGpuCsv(fixture('nvidia-smi-query-gpu-3xGeForce-csv.csv'));
    expect(row).toMatchObject({
      'fan.speed': '63',
      'power.draw': '213.07',
      'memory.total': '8119',
      'temperature.gpu': '73',
      'clocks.max.memory': '5005',
    });
  });

  it('reads two GeForce cards whose query had no memory.total', () => {
    const gpus = gpusFromCsv(fixture('nvidia-smi-query-gpu-2xGeForce-csv.csv'));
    expect(gpus).toHaveLength(2);
    expect(gpus.map((g) => g.memoryUsedMb)).toEqual([754, 641]);
    expect(gpus.map((g) => g.memoryTotalMb)).toEqual([null, null]);
    expect(gpus.map((g) => g.powerDrawW)).toEqual([217.24, 208.3]);
    // Same host as the GTX 1080 -q -x fixture (see the fixtures README).
    expect(gpus[1]?.uuid).toBe('GPU-683c6e09-3969-31a5-b7ca-cc88252b7fce');
  });

  it('turns the rows into live samples', () => {
    const samples = gpuSamplesFromCsv(fixture('nvidia-smi-query-gpu-3xGeForce-csv.csv'));
    expect(samples[1]).toEqual({
      index: 1,
      utilizationPercent: 100,
      memoryUsedMb: 586,
      memoryTotalMb: 4043,
      temperatureC: 67,
      powerDrawW: 187.04,
    });
  });

  it('recognises and skips a header line even when the field list is given', () => {
    const text = fixture('nvidia-smi-query-gpu-2xGeForce-csv.csv');
    const fields = ['uuid', 'memory.used', 'utilization.gpu', 'temperature.gpu', 'power.draw', 'clocks.current.sm'];
    expect(parseQueryGpuCsv(text, fields)).toEqual(parseQueryGpuCsv(text));
  });
});

// No public capture of noheader,nounits output exists (fixtures README, "Gap"), so these lines are
// written in the format nvidia-smi documents for that mode.
describe('nvidia-smi --format=csv,noheader,nounits (Orrery sample query)', () => {
  it('asks nvidia-smi for the sample fields without header or units', () => {
    expect(sampleQueryArgs()).toEqual([
      '--query-gpu=index,uuid,name,pci.bus_id,memory.total,memory.used,utilization.gpu,temperature.gpu,power.draw,power.limit,driver_version',
      '--format=csv,noheader,nounits',
    ]);
  });

  it('maps cells by the given field list, with N/A variants as null and CRLF endings', () => {
    const text =
      '0, GPU-aaaa, NVIDIA GeForce RTX 4090, 00000000:01:00.0, 24564, 1200, 37, 45, 61.20, 450.00, 595.71.05\r\n' +
      '1, GPU-bbbb, NVIDIA H100 80GB HBM3, 00000000:41:00.0, 81559, 59, [N/A], 42, [Not Supported], N/A, 595.71.05\r\n';
    const gpus = gpusFromCsv(text, SAMPLE_QUERY_FIELDS);
    expect(gpus).toHaveLength(2);
    expect(gpus[0]).toMatchObject({
      index: 0,
      name: 'NVIDIA GeForce RTX 4090',
      busId: '00000000:01:00.0',
      memoryTotalMb: 24564,
      utilizationPercent: 37,
      powerLimitW: 450,
      driverVersion: '595.71.05',
    });
    expect(gpus[1]).toMatchObject({ index: 1, utilizationPercent: null, powerDrawW: null, powerLimitW: null });
    expect(gpuSamplesFromCsv(text, SAMPLE_QUERY_FIELDS).map((s) => s.index)).toEqual([0, 1]);
  });

  it("drops lines that do not have one cell per field, such as nvidia-smi's own error lines", () => {
    const text =
      'Unable to determine the device handle for GPU0000:02:00.0: Unknown Error\n' +
      '0, GPU-aaaa, NVIDIA GeForce RTX 3090, 00000000:01:00.0, 24576, 10, 0, 30, 20.5, 350, 550.54\n';
    expect(gpusFromCsv(text, SAMPLE_QUERY_FIELDS).map((g) => g.name)).toEqual(['NVIDIA GeForce RTX 3090']);
  });

  it('returns nothing for empty output', () => {
    expect(gpuSamplesFromCsv('', SAMPLE_QUERY_FIELDS)).toEqual([]);
    expect(gpuSamplesFromCsv('\r\n\n', SAMPLE_QUERY_FIELDS)).toEqual([]);
  });
});

describe('nvidia-smi cell values', () => {
  it.each(['N/A', '[N/A]', '[Not Supported]', 'Not Supported', 'Not Found', '[Unknown Error]', '', '  '])(
    'reads %j as no value',
    (cell) => {
      expect(nvidiaValue(cell)).toBeNull();
      expect(nvidiaNumber(cell)).toBeNull();
    },
  );

  it('reads numbers with or without a unit', () => {
    expect(nvidiaNumber('213.07 W')).toBe(213.07);
    expect(nvidiaNumber('63 %')).toBe(63);
    expect(nvidiaNumber('64 C')).toBe(64);
    expect(nvidiaNumber('97887 MiB')).toBe(97887);
    expect(nvidiaNumber('0')).toBe(0);
    expect(nvidiaNumber('Enabled')).toBeNull();
  });
});
