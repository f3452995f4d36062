import type { MonitorView } from '../../../../shared/contract/monitoring';
import { formatShare, formatStat } from './monitoring-format';

type ReferenceColumn = NonNullable<MonitorView['reference']>['columns'][number];

/** The reference profile's columns, folded away until asked for. */
export function ReferenceColumns({ columns }: { columns: readonly ReferenceColumn[] }) {
  return (
    <details className="reference-columns" data-testid="reference-columns">
      <summary className="small">Reference columns ({columns.length})</summary>
      <div className="table-scroll">
        <table className="jobs-table">
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Kind</th>
              <th scope="col">Missing</th>
              <th scope="col">Min</th>
              <th scope="col">Max</th>
              <th scope="col">Mean</th>
              <th scope="col">Std</th>
              <th scope="col">Categories</th>
            </tr>
          </thead>
          <tbody>
            {columns.map((c) => (
              <tr key={c.name}>
                <td>{c.name}</td>
                <td>{c.kind}</td>
                <td className="num">{formatShare(c.missingShare)}</td>
                <td className="num">{formatStat(c.min)}</td>
                <td className="num">{formatStat(c.max)}</td>
                <td className="num">{formatStat(c.mean)}</td>
                <td className="num">{formatStat(c.std)}</td>
                <td className="num">{c.categories ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
