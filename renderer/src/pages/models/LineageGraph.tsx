import type { ModelVersionDetail } from '../../../../shared/contract/registry';
import { Card } from '../../components/Card';
import { layoutLineage, type LineageDeployment, type LineageNode } from './lineage-layout';

const NODE_W = 210;
const NODE_H = 46;
const GAP_X = 56;
const GAP_Y = 14;
// What fits in a node: bold titles are wider than the monospace subtitles.
const TITLE_CHARS = 25;
const SUBTITLE_CHARS = 30;

const columnLabels = ['Data', 'Source', 'Version', 'Pushed to / served by'];

function clip(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}

/** The version's lineage as a left-to-right graph; nodes that have a page link to it. */
export function LineageGraph({ version, deployments = [] }: { version: ModelVersionDetail; deployments?: readonly LineageDeployment[] }) {
  const layout = layoutLineage(version, deployments);
  const x = (n: LineageNode) => n.column * (NODE_W + GAP_X);
  const y = (n: LineageNode) => 20 + n.row * (NODE_H + GAP_Y);
  const width = 4 * NODE_W + 3 * GAP_X;
  const height = 20 + layout.rows * (NODE_H + GAP_Y);
  const byId = new Map(layout.nodes.map((n) => [n.id, n]));

  return (
    <Card title="Lineage" testId="lineage" className="card-wide">
      <div className="lineage-scroll">
        <svg className="lineage" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Lineage of ${version.name} version ${version.version}`}>
          {columnLabels.map((label, i) => (
            <text key={label} className="lineage-column" x={i * (NODE_W + GAP_X)} y={12}>
              {label}
            </text>
          ))}
          {layout.edges.map((e) => {
            const from = byId.get(e.from)!;
            const to = byId.get(e.to)!;
            const x1 = x(from) + NODE_W;
            const y1 = y(from) + NODE_H / 2;
            const x2 = x(to);
            const y2 = y(to) + NODE_H / 2;
            const mid = (x1 + x2) / 2;
            return <path key={`${e.from}>${e.to}`} className="lineage-edge" d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 4},${y2}`} markerEnd="url(#lineage-arrow)" />;
          })}
          <defs>
            <marker id="lineage-arrow" viewBox="0 0 8 8" refX="4" refY="4" markerWidth="8" markerHeight="8" orient="auto">
              <path d="M0,0 L8,4 L0,8 z" className="lineage-arrowhead" />
            </marker>
          </defs>
          {layout.nodes.map((n) => {
            const body = (
              <g className={`lineage-node lineage-${n.kind}`} data-testid={`lineage-${n.kind}`}>
                <title>{`${n.title}\n${n.subtitle}`}</title>
                <rect x={x(n)} y={y(n)} width={NODE_W} height={NODE_H} rx={6} />
                <text x={x(n) + 10} y={y(n) + 19} className="lineage-title">
                  {clip(n.title, TITLE_CHARS)}
                </text>
                <text x={x(n) + 10} y={y(n) + 36} className="lineage-subtitle">
                  {clip(n.subtitle, SUBTITLE_CHARS)}
                </text>
              </g>
            );
            return n.href ? (
              <a key={n.id} href={n.href}>
                {body}
              </a>
            ) : (
              <g key={n.id}>{body}</g>
            );
          })}
        </svg>
      </div>
      {version.pushes.length === 0 && deployments.length === 0 && <p className="muted">Not pushed to a registry or deployed yet.</p>}
    </Card>
  );
}
