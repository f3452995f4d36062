import type { ColumnDriftView } from '../../../../shared/contract/monitoring';
import { Badge } from '../../components/Badge';
import { driftWord, formatPValue, formatStat, methodLabel } from './monitoring-format';
import { driftTone } from './monitoring-tones';

interface DriftTableProps {
  columns: readonly ColumnDriftView[];
  /** The highlighted row; rows become buttons for choosing a column when `onSelect` is given. */
  selected?: string | null;
  onSelect?(column: string): void;
  testId?: string;
}

/** One row per column: its test, statistic, p-value, threshold, effect size and verdict. */
export function DriftTable({ columns, selected = null, onSelect, testId = 'drift-table' }: DriftTableProps) {
  return (
    <div className="table-scroll">
      <table className="jobs-table drift-table" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">Kind</th>
            <th scope="col">Method</th>
            <th scope="col">Statistic</th>
            <th scope="col">p-value</th>
            <th scope="col">Threshold</th>
            <th scope="col">Effect</th>
            <th scope="col">Drift</th>
          </tr>
        </thead>
        <tbody>
          {columns.map((c) => (
            <tr
              key={c.column}
              className={`${onSelect ? 'drift-row-selectable' : ''}${selected === c.column ? ' drift-row-selected' : ''}`}
              data-testid="drift-row"
              data-column={c.column}
              data-drift={c.drift === null ? 'none' : String(c.drift)}
              onClick={onSelect ? () => onSelect(c.column) : undefined}
            >
              <td>
                {onSelect ? (
                  <button type="button" className="link-button" onClick={() => onSelect(c.column)} aria-pressed={selected === c.column}>
                    {c.column}
                  </button>
                ) : (
                  c.column
                )}
                {c.role !== 'feature' && <span className="heatmap-prediction">{c.role}</span>}
              </td>
              <td>{c.kind}</td>
              <td title={c.method ? methodLabel[c.method] : undefined}>{c.method ?? '—'}</td>
              <td className="num">
                {formatStat(c.statistic)}
                {c.errorBound !== null && <span className="muted"> ±{formatStat(c.errorBound)}</span>}
              </td>
              <td className="num">{formatPValue(c.pValue)}</td>
              <td className="num">{c.threshold === null ? '—' : `${c.basis === 'p-value' ? (c.method === 'ks' ? 'p ≤ ' : 'p < ') : '≥ '}${formatStat(c.threshold)}`}</td>
              <td className="small">{c.effect?.text ?? '—'}</td>
              <td>
                <span title={c.note ?? undefined}>
                  <Badge tone={driftTone(c.drift)}>{driftWord(c.drift, c.note)}</Badge>
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
