import type { KeyboardEvent } from 'react';
import type { StageRunView } from '../../../../shared/contract/pipelines';
import { formatDuration } from '../../lib/format';
import { DAG_NODE_H, DAG_NODE_W, layoutDag } from './dag-layout';
import { stageElapsed, stageStatusText } from './pipeline-format';

// What fits in a node: the bold name is wider per character than the small lines under it, and
// shares its line with the "cached" mark when there is one.
const NAME_CHARS = 22;
const NAME_CHARS_BESIDE_MARK = 15;
const LINE_CHARS = 28;

function clip(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}

interface PipelineDagProps {
  stages: readonly StageRunView[];
  selected: string | null;
  now: number;
  onSelect(stage: string): void;
}

/** The run's stages as a left-to-right graph, by depth of `needs`, coloured by status; a click opens a stage. */
export function PipelineDag({ stages, selected, now, onSelect }: PipelineDagProps) {
  const layout = layoutDag(stages);
  const byName = new Map(stages.map((s) => [s.name, s]));
  const onKey = (e: KeyboardEvent, name: string) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(name);
    }
  };

  return (
    <div className="dag-scroll">
      <svg
        className="dag"
        width={layout.width}
        height={layout.height}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        // Shrinks to the card's width (a six-stage chain is wider than most windows), down to 70%; wider still, it scrolls.
        style={{ minWidth: Math.round(layout.width * 0.7) }} data-testid="pipeline-dag" role="group" aria-label="Stages">
        <defs>
          <marker id="dag-arrow" viewBox="0 0 8 8" refX="4" refY="4" markerWidth="8" markerHeight="8" orient="auto">
            <path d="M0,0 L8,4 L0,8 z" className="dag-arrowhead" />
          </marker>
        </defs>
        {layout.edges.map((e) => (
          <path
            key={`${e.from}>${e.to}`}
            className={`dag-edge dag-edge-${byName.get(e.from)?.status ?? 'pending'}`}
            d={e.d}
            markerEnd="url(#dag-arrow)"
            data-testid="dag-edge"
            data-from={e.from}
            data-to={e.to}
          />
        ))}
        {layout.nodes.map((n) => {
          const stage = byName.get(n.name)!;
          const elapsed = stageElapsed(stage, now);
          const detail = [stage.kind, elapsed === null ? null : formatDuration(elapsed)].filter(Boolean).join(' · ');
          return (
            <g
              key={n.name}
              className={`dag-node dag-${stage.status}${selected === n.name ? ' dag-selected' : ''}`}
              transform={`translate(${n.x},${n.y})`}
              role="button"
              tabIndex={0}
              aria-pressed={selected === n.name}
              aria-label={`${stage.name}: ${stageStatusText(stage.status)}`}
              onClick={() => onSelect(n.name)}
              onKeyDown={(e) => onKey(e, n.name)}
              data-testid="dag-node"
              data-stage={stage.name}
              data-status={stage.status}
            >
              <title>{`${stage.name} (${stage.kind})\n${stageStatusText(stage.status)}${stage.message ? `\n${stage.message}` : ''}`}</title>
              <rect className="dag-box" width={DAG_NODE_W} height={DAG_NODE_H} rx={6} />
              <rect className="dag-stripe" width={5} height={DAG_NODE_H} rx={2} />
              <text x={14} y={19} className="dag-name">
                {clip(stage.name, stage.cached ? NAME_CHARS_BESIDE_MARK : NAME_CHARS)}
              </text>
              <text x={14} y={35} className="dag-detail">
                {clip(detail, LINE_CHARS)}
              </text>
              <text x={14} y={50} className="dag-status" data-testid="dag-node-status">
                {stage.status === 'cached' ? 'inputs unchanged' : stageStatusText(stage.status)}
              </text>
              {stage.cached && (
                <g className="dag-cached-mark" transform={`translate(${DAG_NODE_W - 56},8)`} data-testid="dag-cached">
                  <rect width={48} height={14} rx={7} />
                  <text x={24} y={10.5} textAnchor="middle">
                    cached
                  </text>
                </g>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
