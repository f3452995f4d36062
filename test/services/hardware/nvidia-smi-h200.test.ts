import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gpusFromCsv, gpuSamplesFromCsv, parseQueryGpuCsv, SAMPLE_QUERY_FIELDS } from '../../../electron/services/hardware/nvidia-smi-csv';
import { parseNvidiaSmiXml } from '../../../electron/services/hardware/nvidia-smi-xml';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/hardware/${name}`, import.meta.url), 'utf8');
const UUID = 'GPU-aaaaaaaa-bbbb-cccc-dddd-000000000200';

describe('one H200, driver 580 (real captures)', () => {
  it('-q -x: the GPU with its 143771 MiB, power limit and MIG off', () => {
    const log = parseNvidiaSmiXml(fixture('nvidia-smi-q-x-1xH200-driver580.xml'));
    expect(log).toMatchObject({ driverVersion: '580.159.04', cudaVersion: '13.0' });
    expect(log.gpus).toHaveLength(1);
    expect(log.gpus[0]).toMatchObject({
      index: 0,
      uuid: UUID,
      name: 'NVIDIA H200',
      busId: '00000000:00:06.0',
      memoryTotalMb: 143771,
      memoryUsedMb: 0,
      utilizationPercent: 0,
      temperatureC: 33,
      powerLimitW: 700,
      migEnabled: false,
    });
  });

  it("Orrery's own sample query, noheader and nounits, reads as a live sample", () => {
    expect(gpuSamplesFromCsv(fixture('nvidia-smi-sample-query-1xH200-driver580.csv'), SAMPLE_QUERY_FIELDS)).toEqual([
      { index: 0, utilizationPercent: 0, memoryUsedMb: 0, memoryTotalMb: 143771, temperatureC: 33, powerDrawW: 84.65 },
    ]);
  });

  it('the same fields with header and units give the same GPU, and MIG mode', () => {
    const [gpu] = gpusFromCsv(fixture('nvidia-smi-sample-query-units-1xH200-driver580.csv'));
    expect(gpu).toMatchObject({ index: 0, uuid: UUID, name: 'NVIDIA H200', memoryTotalMb: 143771, powerLimitW: 700, driverVersion: '580.159.04', migEnabled: false });
  });

  it("systeminformation's 16-field query: one row of 16 cells, [N/A] fan read as no value", () => {
    const fields = [
      'driver_version', 'pci.sub_device_id', 'name', 'pci.bus_id', 'fan.speed', 'memory.total', 'memory.used', 'memory.free',
      'utilization.gpu', 'utilization.memory', 'temperature.gpu', 'temperature.memory', 'power.draw', 'power.limit', 'clocks.gr', 'clocks.mem',
    ];
    const rows = parseQueryGpuCsv(fixture('nvidia-smi-systeminformation-query-1xH200-driver580.csv'), fields);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ 'pci.sub_device_id': '0x18BF10DE', 'fan.speed': null, 'memory.free': '143156', 'clocks.mem': '3201' });
  });
});
