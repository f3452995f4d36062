import type { ModelVersionDetail } from '../../../../shared/contract/registry';
import { routeHref } from '../../routing/route';
import { shortDigest } from './model-format';

export interface LineageNode {
  id: string;
  column: number;
  row: number;
  kind: 'dataset' | 'run' | 'parent' | 'folder' | 'registry' | 'version' | 'push' | 'deployment';
  title: string;
  subtitle: string;
  href?: string;
}

export interface LineageEdge {
  from: string;
  to: string;
}

export interface LineageLayout {
  nodes: LineageNode[];
  edges: LineageEdge[];
  columns: number;
  rows: number;
}

/** A deployment that serves the version, as the lineage shows it. */
export interface LineageDeployment {
  name: string;
  status: string;
  /** This version's share of the deployment's traffic, percent. */
  weight: number;
  role: string;
}

/**
 * Where a version came from and where it went, left to right:
 * datasets → run (or folder / source registry) and parent versions → this version → registries it
 * was pushed to and deployments that serve it.
 */
export function layoutLineage(v: ModelVersionDetail, deployments: readonly LineageDeployment[] = []): LineageLayout {
  const nodes: LineageNode[] = [];
  const edges: LineageEdge[] = [];
  const add = (node: Omit<LineageNode, 'row'>) => {
    const row = nodes.filter((n) => n.column === node.column).length;
    nodes.push({ ...node, row });
    return node.id;
  };
  const lineage = v.lineage;
  const self = `v:${v.name}:${v.version}`;

  let origin: string;
  if (lineage.pulledFrom) {
    origin = add({ id: 'registry', column: 1, kind: 'registry', title: 'Pulled from', subtitle: lineage.pulledFrom });
    const original = lineage.originalLineage;
    if (original?.runId) {
      edges.push({ from: add({ id: 'orig-run', column: 0, kind: 'run', title: `Run ${original.runName ?? original.runId.slice(0, 8)}`, subtitle: `${original.experimentName ? `${original.experimentName} · ` : ''}before the push` }), to: origin });
    }
  } else if (v.source.type === 'run') {
    origin = add({
      id: 'run',
      column: 1,
      kind: 'run',
      title: `Run ${lineage.runName || v.source.runId.slice(0, 8)}`,
      subtitle: lineage.experimentName ? `experiment ${lineage.experimentName}` : v.source.runId,
      href: routeHref('runs', [v.source.runId]),
    });
    for (const input of lineage.inputs) {
      edges.push({ from: add({ id: `ds:${input.name}:${input.digest}`, column: 0, kind: 'dataset', title: input.name, subtitle: `digest ${input.digest.slice(0, 12)}` }), to: origin });
    }
  } else {
    origin = add({ id: 'folder', column: 1, kind: 'folder', title: 'Folder', subtitle: v.source.path });
  }
  edges.push({ from: origin, to: self });
  for (const parent of lineage.parents) {
    const id = add({ id: `parent:${parent.name}:${parent.version}`, column: 1, kind: 'parent', title: `${parent.name} v${parent.version}`, subtitle: 'parent version', href: routeHref('models', [parent.name, String(parent.version)]) });
    edges.push({ from: id, to: self });
  }
  add({ id: self, column: 2, kind: 'version', title: `${v.name} v${v.version}`, subtitle: `${v.stage} · ${v.flavor}` });
  const seen = new Set<string>();
  for (const push of v.pushes) {
    const bare = push.reference.split('@')[0] ?? push.reference;
    if (seen.has(bare)) continue;
    seen.add(bare);
    edges.push({ from: self, to: add({ id: `push:${bare}`, column: 3, kind: 'push', title: bare, subtitle: `digest ${shortDigest(push.digest)} · ${push.actor}` }) });
  }
  for (const d of deployments) {
    edges.push({
      from: self,
      to: add({ id: `deploy:${d.name}`, column: 3, kind: 'deployment', title: `Deployment ${d.name}`, subtitle: `${d.status} · ${d.role} ${d.weight}%`, href: routeHref('deployments', [d.name]) }),
    });
  }
  const columns = Math.max(...nodes.map((n) => n.column)) + 1;
  const rows = Math.max(...nodes.map((n) => n.row)) + 1;
  return { nodes, edges, columns, rows };
}
