import type { ParamComparison, RunDetail } from '../../../../shared/contract/tracking';
import { metricNumber } from '../../charts/series-math';

export const MAX_RUNS = 100;

/** The run ids of #/compare?runs=a,b,c: valid, unique, at most 100, in the given order. */
export function parseRunIds(text: string | null): string[] {
  if (!text) return [];
  const ids = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => /^[0-9a-f]{32}$/.test(s));
  return [...new Set(ids)].slice(0, MAX_RUNS);
}

/** Every metric key any of the runs logged: plain metrics first, then system/*, each sorted. */
export function metricKeyUnion(runs: readonly RunDetail[]): string[] {
  const keys = new Set<string>();
  for (const run of runs) for (const key of Object.keys(run.metrics)) keys.add(key);
  const sorted = [...keys].sort();
  return [...sorted.filter((k) => !k.startsWith('system/')), ...sorted.filter((k) => k.startsWith('system/'))];
}

/** A differing param that can be drawn on an axis: numeric when every present value is a number. */
export interface ParamAxis {
  key: string;
  kind: 'number' | 'category';
  /** Per run (comparison order), the value as a number (category: its index), null when absent. */
  values: Array<number | null>;
  categories: string[];
}

export function paramAxes(comparison: ParamComparison, onlyDiffering = true): ParamAxis[] {
  const out: ParamAxis[] = [];
  for (const row of comparison.rows) {
    if (onlyDiffering && !row.differs) continue;
    const present = row.values.filter((v): v is string => v !== null);
    if (present.length === 0) continue;
    const numeric = present.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
    if (numeric) {
      out.push({ key: row.key, kind: 'number', values: row.values.map((v) => (v === null ? null : Number(v))), categories: [] });
    } else {
      const categories = [...new Set(present)].sort();
      out.push({ key: row.key, kind: 'category', values: row.values.map((v) => (v === null ? null : categories.indexOf(v))), categories });
    }
  }
  return out;
}

/** Each run's latest finite value of a metric, null where it has none. */
export function latestValues(runs: readonly RunDetail[], key: string): Array<number | null> {
  return runs.map((run) => {
    const v = metricNumber(run.metrics[key]?.value);
    return v !== null && Number.isFinite(v) ? v : null;
  });
}
