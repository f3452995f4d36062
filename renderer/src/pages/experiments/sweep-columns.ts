import type { OrreryClient } from '../../../../shared/client';
import { SWEEP_TAG } from '../../../../shared/contract/training';
import { isFixedSpace } from '../run/sweep-format';
import { sameColumn, type RunColumn } from './columns';

/** How many metrics the table shows before the user picks columns. */
const DEFAULT_METRICS = 4;
/** Params and metrics shown by default in all: more push the Actions column off a laptop screen. */
const DEFAULT_DATA_COLUMNS = 4;
/** Sweeps looked at for their swept params: the newest few of the experiment. */
const SWEEPS_READ = 5;

/** What an experiment's sweeps vary and optimise, for its default columns. */
export interface SweepColumns {
  params: string[];
  /** The sweeps' objective metrics, shown before the other metrics. */
  objectives: string[];
}

export const NO_SWEEP: SweepColumns = { params: [], objectives: [] };

/**
 * The columns shown until the user picks their own: a sweep's swept params (so its trials can be
 * told apart) and its objective, then the first few other metrics. System metrics (system/cpu_percent…)
 * say how the machine was used, not how the model did: never a default column, only when picked.
 */
export function defaultColumns(metrics: readonly string[], sweep: SweepColumns = NO_SWEEP): RunColumn[] {
  const objectives = sweep.objectives.filter((key) => metrics.includes(key));
  const others = metrics.filter((key) => !objectives.includes(key) && !key.startsWith('system/'));
  return [
    ...sweep.params.map((key): RunColumn => ({ kind: 'param', key })),
    ...[...objectives, ...others].slice(0, Math.max(Math.min(DEFAULT_METRICS, DEFAULT_DATA_COLUMNS - sweep.params.length), objectives.length, 1)).map((key): RunColumn => ({ kind: 'metric', key })),
  ];
}

export function sameColumns(a: readonly RunColumn[], b: readonly RunColumn[]): boolean {
  return a.length === b.length && a.every((column, i) => sameColumn(column, b[i]!));
}

/**
 * The params swept and metrics optimised by the experiment's sweeps (newest sweep's first), each
 * once; none when it has no sweep, or when they cannot be read (no training here): the table then
 * opens as it always did.
 */
export async function sweepColumnsOf(client: OrreryClient, experimentId: string): Promise<SweepColumns> {
  try {
    const parents = await client.call('tracking.queryRuns', {
      experimentIds: [experimentId],
      filter: `tags.\`${SWEEP_TAG}\` = 'true'`,
      orderBy: ['attributes.start_time DESC'],
      pageSize: SWEEPS_READ,
      withTotal: false,
    });
    const sweeps = await Promise.all(parents.runs.map((run) => client.call('training.getSweep', { runId: run.runId }).catch(() => null)));
    return {
      // A param of one value in its space is the same in every trial: nothing to tell them apart by.
      params: [...new Set(sweeps.flatMap((sweep) => (sweep?.sweptParams ?? []).filter((name) => !isFixedSpace(sweep?.space?.[name]))))],
      objectives: [...new Set(sweeps.flatMap((sweep) => (sweep?.objective ? [sweep.objective.metric] : [])))],
    };
  } catch {
    return NO_SWEEP;
  }
}
