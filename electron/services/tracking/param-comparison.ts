import type { ParamComparison } from '../../../shared/contract/tracking';

/** Runs side by side, one row per param key (sorted), each run's value or null; differing rows flagged. */
export function compareRunParams(runIds: string[], params: Map<string, Array<{ key: string; value: string }>>, onlyDiffering: boolean): ParamComparison {
  const keys = [...new Set([...params.values()].flatMap((list) => list.map((p) => p.key)))].sort();
  const all = keys.map((key) => {
    const values = runIds.map((id) => params.get(id)?.find((p) => p.key === key)?.value ?? null);
    return { key, values, differs: new Set(values).size > 1 };
  });
  const differing = all.filter((r) => r.differs);
  return { runIds, rows: onlyDiffering ? differing : all, differingCount: differing.length, totalCount: all.length };
}
