/** Where each stage of a pipeline run sits in its drawing: one column per depth, left to right. */

export const DAG_NODE_W = 184;
export const DAG_NODE_H = 58;
export const DAG_GAP_X = 64;
export const DAG_GAP_Y = 16;
export const DAG_PAD = 8;

export interface DagStageInput {
  name: string;
  needs: readonly string[];
}

export interface DagNode {
  name: string;
  /** The longest chain of `needs` before it: stages needing nothing are depth 0. */
  depth: number;
  row: number;
  x: number;
  y: number;
}

export interface DagEdge {
  from: string;
  to: string;
  /** An SVG path from the right middle of `from` to the left middle of `to`. */
  d: string;
}

export interface DagLayout {
  nodes: DagNode[];
  edges: DagEdge[];
  columns: number;
  rows: number;
  width: number;
  height: number;
}

/** Each stage's depth; needs that name no stage of the run are left out, and a cycle is cut where it closes. */
export function stageDepths(stages: readonly DagStageInput[]): Map<string, number> {
  const byName = new Map(stages.map((s) => [s.name, s]));
  const depths = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (name: string): number => {
    const known = depths.get(name);
    if (known !== undefined) return known;
    // A cycle cannot reach a run (the file is refused), but a drawing must never loop forever.
    if (visiting.has(name)) return -1;
    visiting.add(name);
    let depth = 0;
    for (const need of byName.get(name)?.needs ?? []) {
      if (byName.has(need) && need !== name) depth = Math.max(depth, depthOf(need) + 1);
    }
    visiting.delete(name);
    depths.set(name, depth);
    return depth;
  };
  for (const s of stages) depthOf(s.name);
  return depths;
}

/**
 * Stages in columns by depth; within a column, in the order of the rows of what they need (so
 * edges cross less), then in file order. Edges go from each need to the stage needing it.
 */
export function layoutDag(stages: readonly DagStageInput[]): DagLayout {
  const depths = stageDepths(stages);
  const order = new Map(stages.map((s, i) => [s.name, i]));
  const columns = stages.length === 0 ? 0 : Math.max(...depths.values()) + 1;
  const rowOf = new Map<string, number>();
  const nodes: DagNode[] = [];

  for (let depth = 0; depth < columns; depth++) {
    const inColumn = stages.filter((s) => depths.get(s.name) === depth);
    const weight = (s: DagStageInput): number => {
      const rows = s.needs.map((n) => rowOf.get(n)).filter((r): r is number => r !== undefined);
      return rows.length === 0 ? Number.POSITIVE_INFINITY : rows.reduce((a, b) => a + b, 0) / rows.length;
    };
    const sorted = depth === 0 ? inColumn : [...inColumn].sort((a, b) => weight(a) - weight(b) || order.get(a.name)! - order.get(b.name)!);
    sorted.forEach((s, row) => {
      rowOf.set(s.name, row);
      nodes.push({ name: s.name, depth, row, x: DAG_PAD + depth * (DAG_NODE_W + DAG_GAP_X), y: DAG_PAD + row * (DAG_NODE_H + DAG_GAP_Y) });
    });
  }

  const byName = new Map(nodes.map((n) => [n.name, n]));
  const edges: DagEdge[] = [];
  for (const s of stages) {
    const to = byName.get(s.name)!;
    for (const need of new Set(s.needs)) {
      const from = byName.get(need);
      if (!from || from === to || from.depth >= to.depth) continue;
      edges.push({ from: need, to: s.name, d: edgePath(from, to) });
    }
  }

  const rows = nodes.length === 0 ? 0 : Math.max(...nodes.map((n) => n.row)) + 1;
  return {
    nodes,
    edges,
    columns,
    rows,
    width: columns === 0 ? 0 : 2 * DAG_PAD + columns * DAG_NODE_W + (columns - 1) * DAG_GAP_X,
    height: rows === 0 ? 0 : 2 * DAG_PAD + rows * DAG_NODE_H + (rows - 1) * DAG_GAP_Y,
  };
}

/** A smooth curve between the two nodes' facing sides; it ends short of the target for the arrowhead. */
function edgePath(from: DagNode, to: DagNode): string {
  const x1 = from.x + DAG_NODE_W;
  const y1 = from.y + DAG_NODE_H / 2;
  const x2 = to.x - 4;
  const y2 = to.y + DAG_NODE_H / 2;
  const mid = (x1 + x2) / 2;
  return `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
}
