import type { ColumnQualityView, DataQualityView } from '../../../../shared/contract/monitoring';
import { Badge } from '../../components/Badge';
import { formatShare } from './monitoring-format';

/** Each measure's breach name, as the quality check reports it. */
const breachOf = {
  missing: 'missing',
  outOfRange: 'out-of-range',
  newCategory: 'new-category',
  typeMismatch: 'type-mismatch',
  nonFinite: 'non-finite',
  constant: 'constant',
} as const;

function cell(c: ColumnQualityView, breach: string, text: string) {
  const breached = c.breaches.includes(breach);
  return (
    <td className={`num${breached ? ' quality-breach' : ''}`} data-breach={breached ? breach : undefined}>
      {text}
    </td>
  );
}

/** A window's (or a comparison's) data quality: missing and extra columns, then each column's measures, breaches in red. */
export function QualityTable({ quality }: { quality: DataQualityView }) {
  return (
    <div className="quality" data-testid="quality-table">
      <p className="small" data-testid="quality-summary">
        {quality.breaches === 0 ? <Badge tone="ok">no breaches</Badge> : <Badge tone="bad">{`${quality.breaches} breach${quality.breaches === 1 ? '' : 'es'}`}</Badge>}
        {quality.missingColumns.length > 0 && (
          <span className="quality-schema" data-testid="quality-missing-columns">
            {' '}
            Missing columns: <strong>{quality.missingColumns.join(', ')}</strong>.
          </span>
        )}
        {quality.extraColumns.length > 0 && (
          <span className="quality-schema" data-testid="quality-extra-columns">
            {' '}
            Columns not in the reference: <strong>{quality.extraColumns.join(', ')}</strong>.
          </span>
        )}
      </p>
      <div className="table-scroll">
        <table className="jobs-table quality-table">
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Kind</th>
              <th scope="col">Rows</th>
              <th scope="col">Missing (reference)</th>
              <th scope="col">Out of range</th>
              <th scope="col">New categories</th>
              <th scope="col">Type mismatches</th>
              <th scope="col">Non-finite</th>
              <th scope="col">Constant</th>
            </tr>
          </thead>
          <tbody>
            {quality.columns.map((c) => (
              <tr key={c.column} data-testid="quality-row" data-column={c.column} className={c.breaches.length > 0 ? 'quality-row-breach' : undefined}>
                <td>{c.column}</td>
                <td>{c.kind}</td>
                <td className="num">{c.rows.toLocaleString('en')}</td>
                {cell(c, breachOf.missing, `${formatShare(c.missingShare)} (${formatShare(c.referenceMissingShare)})`)}
                {cell(c, breachOf.outOfRange, formatShare(c.outOfRangeShare))}
                {cell(c, breachOf.newCategory, formatShare(c.newCategoryShare))}
                {cell(c, breachOf.typeMismatch, c.typeMismatches.toLocaleString('en'))}
                {cell(c, breachOf.nonFinite, c.nonFinite.toLocaleString('en'))}
                {cell(c, breachOf.constant, c.constant ? 'yes' : 'no')}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
