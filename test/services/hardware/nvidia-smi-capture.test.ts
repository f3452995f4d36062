import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gpusFromCsv, gpuSamplesFromCsv, parseQueryGpuCsv } from '../../../electron/services/hardware/nvidia-smi-csv';
import { captureSections, queryFields, splitCapture } from '../../helpers/nvidia-capture';

function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/hardware/${name}`, import.meta.url), 'utf8');
}

function querySections(text: string) {
  return captureSections(text, 'nvidia-smi --query-gpu=');
}

interface Expected {
  file: string;
  name: string;
  busId: string;
  memoryTotalMb: number;
  driverVersion: string;
  powerLimitW: number;
  migEnabled: boolean | null;
  /** utilization.gpu in the idle then the load section. */
  utilization: [number | null, number | null];
  memoryUsedMb: [number, number];
}

const captures: Expected[] = [
  {
    file: 'nvidia-smi-capture-linux-1xH100-80GB-HBM3-driver590.48.01.txt',
    name: 'NVIDIA H100 80GB HBM3',
    busId: '00000000:00:09.0',
    memoryTotalMb: 81559,
    driverVersion: '590.48.01',
    powerLimitW: 700,
    migEnabled: false,
    utilization: [0, 100],
    memoryUsedMb: [0, 19818],
  },
  {
    file: 'nvidia-smi-capture-linux-1xH100-MIG-driver590.48.01.txt',
    name: 'NVIDIA H100 80GB HBM3',
    busId: '00000000:00:09.0',
    memoryTotalMb: 81559,
    driverVersion: '590.48.01',
    powerLimitW: 700,
    migEnabled: true,
    // MIG on: nvidia-smi prints [N/A] for whole-GPU utilisation even under load.
    utilization: [null, null],
    memoryUsedMb: [59, 11125],
  },
  {
    file: 'nvidia-smi-capture-linux-1xL40S-driver595.80.txt',
    name: 'NVIDIA L40S',
    busId: '00000000:01:00.0',
    memoryTotalMb: 46068,
    driverVersion: '595.80',
    powerLimitW: 350,
    migEnabled: null,
    utilization: [100, 9],
    memoryUsedMb: [0, 1235],
  },
  {
    file: 'nvidia-smi-capture-linux-1xRTX4080SUPER-driver595.71.05.txt',
    name: 'NVIDIA GeForce RTX 4080 SUPER',
    busId: '00000000:01:00.0',
    memoryTotalMb: 16376,
    driverVersion: '595.71.05',
    powerLimitW: 320,
    migEnabled: null,
    utilization: [0, 7],
    memoryUsedMb: [596, 1474],
  },
  {
    file: 'nvidia-smi-capture-windows-1xRTX2080SUPER-driver591.86.txt',
    name: 'NVIDIA GeForce RTX 2080 SUPER',
    busId: '00000000:0C:00.0',
    memoryTotalMb: 8192,
    driverVersion: '591.86',
    powerLimitW: 250,
    migEnabled: null,
    utilization: [0, 7],
    memoryUsedMb: [702, 1296],
  },
];

describe('capture splitter', () => {
  it('finds each section by its command, with the phase from its banner', () => {
    const sections = splitCapture(fixture('nvidia-smi-capture-linux-1xL40S-driver595.80.txt'));
    const version = sections.find((s) => s.command === 'nvidia-smi --version');
    expect(version?.phase).toBe('capabilities');
    expect(version?.body.trim().split('\n')[0]).toBe('NVIDIA-SMI version  : 595.80');
    expect(version?.body).not.toMatch(/^#/m);
    const queries = querySections(fixture('nvidia-smi-capture-linux-1xL40S-driver595.80.txt'));
    expect(queries.map((s) => s.phase)).toEqual(['idle', 'load']);
  });
});

describe.each(captures)('$file --query-gpu sections', (expected) => {
  const sections = querySections(fixture(expected.file));

  it('has an idle and a load query, each with a header naming every queried field', () => {
    expect(sections.map((s) => s.phase)).toEqual(['idle', 'load']);
    for (const section of sections) {
      const fields = queryFields(section.command);
      expect(fields.length).toBeGreaterThan(150);
      // The header is recognised against the command's own field list, units and all.
      const rows = parseQueryGpuCsv(section.body, fields);
      expect(rows).toHaveLength(1);
      expect(Object.keys(rows[0] ?? {})).toEqual(fields);
    }
  });

  it('reads the GPU name, bus, memory total, driver, power limit and MIG mode', () => {
    for (const section of sections) {
      const gpus = gpusFromCsv(section.body);
      expect(gpus).toHaveLength(1);
      expect(gpus[0]).toMatchObject({
        vendor: 'nvidia',
        index: 0,
        name: expected.name,
        busId: expected.busId,
        memoryTotalMb: expected.memoryTotalMb,
        driverVersion: expected.driverVersion,
        powerLimitW: expected.powerLimitW,
        migEnabled: expected.migEnabled,
        cudaVersion: null,
      });
    }
  });

  it('reads utilisation and memory used, idle then under load', () => {
    const samples = sections.map((s) => gpuSamplesFromCsv(s.body)[0]);
    expect(samples.map((s) => s?.utilizationPercent)).toEqual(expected.utilization);
    expect(samples.map((s) => s?.memoryUsedMb)).toEqual(expected.memoryUsedMb);
    expect(samples.every((s) => typeof s?.temperatureC === 'number' && typeof s.powerDrawW === 'number')).toBe(true);
  });
});

describe('Windows capture with CRLF line endings', () => {
  // The committed capture has LF endings (git normalised it upstream); nvidia-smi.exe writes CRLF,
  // so the same section is re-terminated with CRLF to check that parsing is unchanged.
  const file = 'nvidia-smi-capture-windows-1xRTX2080SUPER-driver591.86.txt';
  const lf = fixture(file);
  const crlf = lf.replace(/\r?\n/g, '\r\n');

  it('keeps CRLF in section bodies and parses them the same as LF', () => {
    const [lfIdle] = querySections(lf);
    const [crlfIdle] = querySections(crlf);
    expect(crlfIdle?.body).toContain('\r\n');
    const gpus = gpusFromCsv(crlfIdle?.body ?? '');
    expect(gpus).toEqual(gpusFromCsv(lfIdle?.body ?? ''));
    expect(gpus[0]).toMatchObject({ name: 'NVIDIA GeForce RTX 2080 SUPER', memoryTotalMb: 8192, driverVersion: '591.86' });
    // No trailing \r leaks into the last column's value.
    const row = parseQueryGpuCsv(crlfIdle?.body ?? '')[0] ?? {};
    expect(Object.values(row).some((value) => value?.includes('\r'))).toBe(false);
  });

  it('reads the Windows cells: [N/A] and bare N/A as null, WDDM driver model, units stripped', () => {
    const [idle] = querySections(crlf);
    const row = parseQueryGpuCsv(idle?.body ?? '')[0] ?? {};
    expect(row['serial']).toBeNull();
    expect(row['temperature.memory']).toBeNull();
    expect(row['driver_model.current']).toBe('WDDM');
    expect(row['fan.speed']).toBe('37');
    expect(row['pci.sub_device_id']).toBe('0x40051458');
  });
});
