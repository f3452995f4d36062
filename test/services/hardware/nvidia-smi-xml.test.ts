import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiXml } from '../../../electron/services/hardware/nvidia-smi-xml';

function parseFixture(name: string) {
  return parseNvidiaSmiXml(readFileSync(new URL(`../../fixtures/hardware/${name}`, import.meta.url), 'utf8'));
}

describe('nvidia-smi -q -x (real captures)', () => {
  it('v13: one RTX PRO 6000 Blackwell with power under gpu_power_readings', () => {
    const log = parseFixture('nvidia-smi-q-x-1xRTX-PRO-6000-Blackwell-MaxQ-driver590.xml');
    expect(log).toMatchObject({ driverVersion: '590.44.01', cudaVersion: '13.1' });
    expect(log.gpus).toEqual([
      {
        vendor: 'nvidia',
        index: 0,
        uuid: 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab',
        name: 'NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition',
        busId: '00000000:61:00.0',
        memoryTotalMb: 97887,
        memoryUsedMb: 65720,
        utilizationPercent: 0,
        temperatureC: 24,
        powerDrawW: 3.97,
        powerLimitW: 300,
        driverVersion: '590.44.01',
        cudaVersion: '13.1',
        migEnabled: false,
      },
    ]);
  });

  it('v13: two RTX A5000s, indexed in nvidia-smi order (bus order), not by minor number', () => {
    const { gpus } = parseFixture('nvidia-smi-q-x-2xRTX-A5000-driver590.xml');
    expect(gpus).toHaveLength(2);
    expect(gpus.map((g) => g.name)).toEqual(['NVIDIA RTX A5000', 'NVIDIA RTX A5000']);
    // The C1 card carries minor number 0 but nvidia-smi (and CUDA, and Docker) call it GPU 1.
    expect(gpus.map((g) => [g.index, g.busId])).toEqual([
      [0, '00000000:81:00.0'],
      [1, '00000000:C1:00.0'],
    ]);
    expect(gpus.map((g) => g.memoryTotalMb)).toEqual([24564, 24564]);
    expect(gpus.map((g) => g.memoryUsedMb)).toEqual([22437, 17253]);
    expect(gpus.map((g) => g.powerLimitW)).toEqual([230, 230]);
  });

  it('v13: keeps both RTX 2080s even though they share a placeholder UUID', () => {
    const log = parseFixture('nvidia-smi-q-x-2xRTX2080-driver590.xml');
    expect(log.gpus).toHaveLength(2);
    expect(new Set(log.gpus.map((g) => g.uuid)).size).toBe(1);
    expect(log.gpus.map((g) => g.busId)).toEqual(['00000000:01:00.0', '00000000:02:00.0']);
    expect(log.gpus.map((g) => g.name)).toEqual(['NVIDIA GeForce RTX 2080', 'NVIDIA GeForce RTX 2080']);
    expect(log.gpus.map((g) => g.memoryTotalMb)).toEqual([8192, 8192]);
    // average_power_draw is N/A on this card; the instant reading is used instead.
    expect(log.gpus.map((g) => g.powerDrawW)).toEqual([1, 1.62]);
  });

  it('v12: the trimmed A100 file says attached_gpus 4 but holds one <gpu>, so one GPU in MIG mode', () => {
    const log = parseFixture('nvidia-smi-q-x-A100-SXM4-80GB-MIG-driver535-partial.xml');
    expect(log).toMatchObject({ driverVersion: '535.54.03', cudaVersion: '12.2' });
    expect(log.gpus).toHaveLength(1);
    expect(log.gpus[0]).toMatchObject({
      index: 0,
      name: 'NVIDIA A100-SXM4-80GB',
      busId: '00000000:01:00.0',
      // The whole card, not one of its 19968 MiB MIG slices.
      memoryTotalMb: 81920,
      memoryUsedMb: 50,
      migEnabled: true,
      utilizationPercent: null,
      powerDrawW: 67.03,
      powerLimitW: 500,
    });
  });

  it('v11: two GTX 1080s with power under power_readings', () => {
    const log = parseFixture('nvidia-smi-q-x-2xGTX1080-driver460.xml');
    expect(log).toMatchObject({ driverVersion: '460.27.04', cudaVersion: '11.2' });
    expect(log.gpus.map((g) => [g.index, g.name, g.busId, g.memoryTotalMb])).toEqual([
      [0, 'GeForce GTX 1080', '00000000:01:00.0', 8116],
      [1, 'GeForce GTX 1080', '00000000:03:00.0', 8119],
    ]);
    expect(log.gpus.map((g) => g.utilizationPercent)).toEqual([100, 100]);
    expect(log.gpus.map((g) => g.temperatureC)).toEqual([67, 70]);
    expect(log.gpus.map((g) => g.powerDrawW)).toEqual([211.86, 211.06]);
    expect(log.gpus.map((g) => g.powerLimitW)).toEqual([216, 216]);
    expect(log.gpus.every((g) => !g.migEnabled)).toBe(true);
  });

  it('v10: two RTX 2080 Tis without a mig_mode element', () => {
    const log = parseFixture('nvidia-smi-q-x-2xRTX2080Ti-driver410.xml');
    expect(log).toMatchObject({ driverVersion: '410.73', cudaVersion: '10.0' });
    expect(log.gpus.map((g) => g.name)).toEqual(['GeForce RTX 2080 Ti', 'GeForce RTX 2080 Ti']);
    expect(log.gpus.map((g) => g.uuid)).toEqual([
      'GPU-57567e11-0be2-381b-5132-2ad95c262e58',
      'GPU-ef1d0068-5bfd-f1e4-7e79-ff35d71d44b8',
    ]);
    expect(log.gpus.map((g) => g.memoryTotalMb)).toEqual([10989, 10989]);
    expect(log.gpus.map((g) => g.powerDrawW)).toEqual([2.12, 19.11]);
    expect(log.gpus.map((g) => g.migEnabled)).toEqual([false, false]);
  });

  it('v10: four Azure K80s keep nvidia-smi order although minor numbers run 1,2,3,0; CUDA "Not Found" is null', () => {
    const log = parseFixture('nvidia-smi-q-x-4xTeslaK80-azure-driver430.xml');
    expect(log.driverVersion).toBe('430.26');
    expect(log.cudaVersion).toBeNull();
    expect(log.gpus.map((g) => [g.index, g.busId])).toEqual([
      [0, '00001580:00:00.0'],
      [1, '00002DF7:00:00.0'],
      [2, '00004968:00:00.0'],
      [3, '0000F8D6:00:00.0'],
    ]);
    expect(log.gpus.every((g) => g.name === 'Tesla K80' && g.memoryTotalMb === 11441)).toBe(true);
    expect(log.gpus.map((g) => g.utilizationPercent)).toEqual([99, 99, 0, 0]);
    expect(log.gpus.map((g) => g.cudaVersion)).toEqual([null, null, null, null]);
  });
});

// Hand-written documents for cases no XML fixture covers.
describe('nvidia-smi -q -x edge cases', () => {
  // The Windows capture's -q section shows "Minor Number : N/A" under WDDM.
  it('reads a GPU whose minor_number is N/A (Windows)', () => {
    const xml = `<?xml version="1.0" ?>
<nvidia_smi_log><driver_version>591.86</driver_version><cuda_version>13.1</cuda_version>
<gpu id="00000000:0C:00.0"><product_name>NVIDIA GeForce RTX 2080 SUPER</product_name><minor_number>N/A</minor_number>
<utilization><gpu_util>7 %</gpu_util></utilization></gpu></nvidia_smi_log>`;
    expect(parseNvidiaSmiXml(xml).gpus).toMatchObject([{ index: 0, busId: '00000000:0C:00.0', utilizationPercent: 7 }]);
  });

  it('reads a log with no GPUs as an empty list', () => {
    const xml = '<nvidia_smi_log><driver_version>590.44.01</driver_version><attached_gpus>0</attached_gpus></nvidia_smi_log>';
    expect(parseNvidiaSmiXml(xml)).toEqual({ driverVersion: '590.44.01', cudaVersion: null, gpus: [] });
  });

  it('rejects text that is not an nvidia-smi log', () => {
    expect(() => parseNvidiaSmiXml('NVIDIA-SMI has failed')).toThrow(/nvidia_smi_log/);
  });
});
