import type { GpuInfo, GpuSample } from '../../../shared/contract/hardware';

/** One nvidia-smi CSV line keyed by query field (units stripped from the key); no-value cells are null. */
export type CsvRow = Record<string, string | null>;

/** What a --query-gpu CSV can tell about a GPU: fields not queried, or reading N/A, are null. */
export interface CsvGpu extends Omit<GpuInfo, 'name' | 'migEnabled'> {
  name: string | null;
  /** From mig.mode.current; null when not queried or the GPU has no MIG support. */
  migEnabled: boolean | null;
}

/** The fields Orrery polls for live samples; kept short because it runs every couple of seconds. */
export const SAMPLE_QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'pci.bus_id',
  'memory.total',
  'memory.used',
  'utilization.gpu',
  'temperature.gpu',
  'power.draw',
  'power.limit',
  'driver_version',
] as const;

/** nvidia-smi arguments for SAMPLE_QUERY_FIELDS, in the unit-free form parseQueryGpuCsv reads fastest. */
export function sampleQueryArgs(fields: readonly string[] = SAMPLE_QUERY_FIELDS): string[] {
  return [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'];
}

/** Bare words nvidia-smi prints where a value is unavailable (older drivers omit the brackets). */
const NO_VALUE_WORDS = new Set([
  'n/a',
  'not supported',
  'not found',
  'not available',
  'unknown error',
  'insufficient permissions',
  'gpu is lost',
]);

/** An nvidia-smi value (CSV cell or XML text), or null for N/A, [Not Supported], Not Found and the like. */
export function nvidiaValue(raw: string | null | undefined): string | null {
  const value = raw?.trim() ?? '';
  if (value === '') return null;
  // nvidia-smi brackets every "no value" message in CSV: [N/A], [Not Supported], [Unknown Error] ...
  if (value.startsWith('[') && value.endsWith(']')) return null;
  if (NO_VALUE_WORDS.has(value.toLowerCase())) return null;
  return value;
}

/** A number from an nvidia-smi value, tolerating a trailing unit (`213.07 W`, `64 C`, `97887 MiB`). */
export function nvidiaNumber(raw: string | null | undefined): number | null {
  const value = nvidiaValue(raw);
  if (value === null) return null;
  const match = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?:\s*[A-Za-z%]+)?$/.exec(value);
  if (!match) return null;
  const parsed = Number(match[1]);
  return Number.isFinite(parsed) ? parsed : null;
}

function cellValue(raw: string, unit: string | null): string | null {
  const value = nvidiaValue(raw);
  if (value !== null && unit && value.endsWith(` ${unit}`)) return value.slice(0, -unit.length - 1);
  return value;
}

/** `memory.total [MiB]` → { name: 'memory.total', unit: 'MiB' }. */
function headerField(raw: string): { name: string; unit: string | null } {
  const match = /^(.*?)\s*\[([^\]]*)\]$/.exec(raw.trim());
  if (!match) return { name: raw.trim(), unit: null };
  return { name: match[1] ?? '', unit: match[2] ?? null };
}

/**
 * Parse `nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits]` output.
 * Without `fields` the first line must be the header; with `fields` a header line, if present, is
 * recognised and skipped. Rows whose cell count differs from the field count are dropped, since a
 * shifted column would put numbers under the wrong name (this also drops nvidia-smi's error lines).
 */
export function parseQueryGpuCsv(text: string, fields?: readonly string[]): CsvRow[] {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '');
  const firstLine = lines[0];
  if (firstLine === undefined) return [];

  const headerCells = firstLine.split(', ').map(headerField);
  const firstIsHeader = fields
    ? headerCells.length === fields.length && headerCells.every((cell, i) => cell.name === fields[i])
    : true;
  const columns = firstIsHeader ? headerCells : (fields ?? []).map((name) => ({ name, unit: null }));

  const rows: CsvRow[] = [];
  for (const line of firstIsHeader ? lines.slice(1) : lines) {
    const cells = line.split(', ');
    if (cells.length !== columns.length) continue;
    const row: CsvRow = {};
    columns.forEach((column, i) => {
      row[column.name] = cellValue(cells[i] ?? '', column.unit);
    });
    rows.push(row);
  }
  return rows;
}

function firstOf(row: CsvRow, ...names: string[]): string | null {
  for (const name of names) {
    const value = row[name];
    if (value != null) return value;
  }
  return null;
}

function migMode(value: string | null): boolean | null {
  if (value === 'Enabled') return true;
  if (value === 'Disabled') return false;
  return null;
}

/** Map CSV rows to GPUs. The position in the output stands in for `index` when it was not queried. */
export function gpusFromCsv(text: string, fields?: readonly string[]): CsvGpu[] {
  return parseQueryGpuCsv(text, fields).map((row, position) => ({
    vendor: 'nvidia',
    index: nvidiaNumber(row['index']) ?? position,
    uuid: row['uuid'] ?? null,
    name: row['name'] ?? null,
    busId: row['pci.bus_id'] ?? null,
    memoryTotalMb: nvidiaNumber(row['memory.total']),
    memoryUsedMb: nvidiaNumber(row['memory.used']),
    utilizationPercent: nvidiaNumber(row['utilization.gpu']),
    temperatureC: nvidiaNumber(row['temperature.gpu']),
    // Newer drivers also report .average/.instant; power.draw is the average where both exist.
    powerDrawW: nvidiaNumber(firstOf(row, 'power.draw', 'power.draw.average', 'power.draw.instant')),
    powerLimitW: nvidiaNumber(firstOf(row, 'power.limit', 'enforced.power.limit')),
    driverVersion: row['driver_version'] ?? null,
    // nvidia-smi has no CUDA-version query field; -q -x is where that comes from.
    cudaVersion: null,
    migEnabled: migMode(row['mig.mode.current'] ?? null),
  }));
}

/** Live samples from a --query-gpu CSV (see sampleQueryArgs). */
export function gpuSamplesFromCsv(text: string, fields?: readonly string[]): GpuSample[] {
  return gpusFromCsv(text, fields).map((gpu) => ({
    index: gpu.index,
    utilizationPercent: gpu.utilizationPercent,
    memoryUsedMb: gpu.memoryUsedMb,
    memoryTotalMb: gpu.memoryTotalMb,
    temperatureC: gpu.temperatureC,
    powerDrawW: gpu.powerDrawW,
  }));
}
