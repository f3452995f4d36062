import { useState } from 'react';
import type { ParamComparison, RunDetail } from '../../../../shared/contract/tracking';
import { Card } from '../../components/Card';
import { routeHref } from '../../routing/route';

interface ParamsDiffProps {
  comparison: ParamComparison;
  runs: RunDetail[];
  colors: string[];
}

/** Params side by side, one row per run: only the keys whose values differ, or all of them. */
export function ParamsDiff({ comparison, runs, colors }: ParamsDiffProps) {
  const [showAll, setShowAll] = useState(false);
  const rows = showAll ? comparison.rows : comparison.rows.filter((r) => r.differs);
  const column = new Map(comparison.runIds.map((id, i) => [id, i]));
  return (
    <Card
      title={showAll ? `Params (all ${comparison.totalCount})` : `Params that differ (${comparison.differingCount} of ${comparison.totalCount})`}
      testId="params-diff"
      className="params-diff"
      aside={
        <label className="inline-select">
          <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.currentTarget.checked)} data-testid="params-show-all" /> Show all
        </label>
      }
    >
      {rows.length === 0 ? (
        <p className="muted">{comparison.totalCount === 0 ? 'These runs have no params.' : 'Every param has the same value in all runs.'}</p>
      ) : (
        <div className="table-scroll">
          <table className="diff-table">
            <thead>
              <tr>
                <th scope="col">Run</th>
                {rows.map((r) => (
                  <th scope="col" key={r.key} className={r.differs ? 'differs' : undefined}>
                    {r.key}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {runs.map((run, i) => {
                const at = column.get(run.runId);
                return (
                  <tr key={run.runId}>
                    <th scope="row">
                      <span className="swatch" ref={(el) => void (el && (el.style.background = colors[i] ?? '#888'))} />
                      <a href={routeHref('runs', [run.runId])}>{run.name || run.runId.slice(0, 8)}</a>
                    </th>
                    {rows.map((r) => {
                      const value = at === undefined ? null : (r.values[at] ?? null);
                      return (
                        <td key={r.key} className={r.differs ? 'differs' : undefined}>
                          {value ?? <span className="muted">—</span>}
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
