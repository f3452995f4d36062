import fs from 'node:fs/promises';
import path from 'node:path';
import type { MonitoringCompute } from '../services/monitoring/compute/monitoring-compute';
import { renderReportHtml } from '../services/monitoring/report-html';
import { driftReportText } from './drift-report-text';
import type { MonitorDriftCommand } from './monitor-command';

export interface MonitorDriftIo {
  out(text: string): Promise<void>;
  err(text: string): Promise<void>;
}

export interface MonitorDriftDeps {
  compute: MonitoringCompute;
  now: () => number;
  writeFile(file: string, text: string): Promise<void>;
}

/** Exit status of `orrery monitor drift` when the datasets drift (0: they do not; 1: failed; 2: bad usage). */
export const DATASET_DRIFT_EXIT = 3;

/** The compute area names the contract's fields; here the person typed these options. */
const OPTION_OF_FIELD: Array<[string, string]> = [
  ['columnKinds: ', '--column: '],
  ['methods: ', '--method: '],
  ['target: ', '--target: '],
];

/**
 * `orrery monitor drift`: compares two files in this process (no running Orrery: a pipeline runs
 * it), prints the report, writes the HTML one when asked. Returns 0 or 3; failures throw, naming the file or option.
 */
export async function runMonitorDrift(command: MonitorDriftCommand, io: MonitorDriftIo, deps: MonitorDriftDeps): Promise<number> {
  const c = command.comparison;
  let result;
  try {
    result = await deps.compute.run({ type: 'compare-files', reference: c.reference, current: c.current, kinds: c.kinds, methods: c.methods, driftShare: c.driftShare, minRows: 1, target: c.target });
  } catch (error) {
    if (error instanceof Error) {
      const field = OPTION_OF_FIELD.find(([prefix]) => error.message.startsWith(prefix));
      if (field) error.message = field[1] + error.message.slice(field[0].length);
    }
    throw error;
  } finally {
    await deps.compute.close();
  }
  const { report, distributions } = result;
  if (command.html !== null) {
    const heading = { title: `Drift report: ${path.basename(c.current)} against ${path.basename(c.reference)}`, subtitle: `${c.reference} → ${c.current}`, generatedAt: deps.now() };
    try {
      await deps.writeFile(command.html, renderReportHtml(heading, report, distributions));
    } catch (error) {
      throw new Error(`Cannot write the HTML report to ${command.html}: ${(error as Error).message}`, { cause: error });
    }
  }
  await io.out(`${command.json ? JSON.stringify({ ...report, distributions }, null, 2) : driftReportText(report, c)}\n`);
  if (command.html !== null) await io.err(`orrery: wrote the HTML report to ${command.html}\n`);
  // Reference columns missing from the current file are schema drift: a gate must not pass them.
  if (report.quality.missingColumns.length > 0 && !command.json) {
    await io.err(`orrery: schema drift: ${report.quality.missingColumns.join(', ')} missing from the current data; exit ${DATASET_DRIFT_EXIT}\n`);
  }
  return report.datasetDrift === true || report.quality.missingColumns.length > 0 ? DATASET_DRIFT_EXIT : 0;
}

/** What the command line uses: the comparison on this thread, the real clock and disk. */
export function localDriftDeps(compute: MonitoringCompute): MonitorDriftDeps {
  return { compute, now: Date.now, writeFile: (file, text) => fs.writeFile(file, text) };
}
