/** The least a row needs for grouping: its id and its parent's. */
export interface Groupable {
  runId: string;
  parentRunId: string | null;
}

export interface DisplayRow<R extends Groupable> {
  run: R;
  depth: number;
  /** How many loaded children it has (its sweep trials). */
  childCount: number;
  collapsed: boolean;
}

/**
 * Orders runs so that each child follows its parent, indented one level deeper, keeping the
 * server's order among siblings and among top-level rows. A child whose parent is not loaded (another
 * page, filtered out) stays at the top level where the server put it. Collapsed parents hide their
 * whole subtree. Cycles (which a hand-set tag could make) are broken: such runs show at top level.
 */
export function groupRuns<R extends Groupable>(runs: readonly R[], collapsed: ReadonlySet<string>): DisplayRow<R>[] {
  const byId = new Map(runs.map((run) => [run.runId, run]));
  const children = new Map<string, R[]>();
  const roots: R[] = [];
  for (const run of runs) {
    const parent = run.parentRunId;
    if (parent && parent !== run.runId && byId.has(parent) && !reachesSelf(run, byId)) {
      const list = children.get(parent);
      if (list) list.push(run);
      else children.set(parent, [run]);
    } else {
      roots.push(run);
    }
  }
  const out: DisplayRow<R>[] = [];
  const visit = (run: R, depth: number) => {
    const kids = children.get(run.runId) ?? [];
    const isCollapsed = collapsed.has(run.runId);
    out.push({ run, depth, childCount: kids.length, collapsed: isCollapsed });
    if (!isCollapsed) for (const kid of kids) visit(kid, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  return out;
}

function reachesSelf<R extends Groupable>(run: R, byId: Map<string, R>): boolean {
  const seen = new Set<string>([run.runId]);
  let parent = run.parentRunId;
  while (parent) {
    if (seen.has(parent)) return parent === run.runId;
    seen.add(parent);
    parent = byId.get(parent)?.parentRunId ?? null;
  }
  return false;
}
