import type { ColumnDistributionView } from '../../../../shared/contract/monitoring';
import { Badge } from '../../components/Badge';
import { Facts } from '../../components/Facts';
import { DistributionChart } from './DistributionChart';
import { driftWord, formatPValue, formatStat, methodLabel, verdictText } from './monitoring-format';
import { driftTone } from './monitoring-tones';

/** One column: its two distributions overlaid, the test's numbers, and the verdict in words. */
export function ColumnResult({ distribution }: { distribution: ColumnDistributionView }) {
  const r = distribution.result;
  return (
    <div className="column-result" data-testid="column-result" data-column={distribution.column}>
      <div className="column-result-head">
        <strong className="mono">{distribution.column}</strong>
        <span className="muted small">{distribution.kind}</span>
        {r && (
          <Badge tone={driftTone(r.drift)} testId="column-verdict-badge">
            {driftWord(r.drift, r.note)}
          </Badge>
        )}
      </div>
      {distribution.labels.length > 0 ? <DistributionChart distribution={distribution} /> : <p className="muted">No values to draw for this column in this window.</p>}
      {r && (
        <>
          <p className="column-verdict" data-testid="column-verdict">
            {verdictText(r)}
          </p>
          <Facts
            rows={[
              ['Test', r.method ? `${methodLabel[r.method]} (${r.method})` : '—', 'column-method'],
              ['Statistic', r.errorBound === null ? formatStat(r.statistic) : `${formatStat(r.statistic)} ± ${formatStat(r.errorBound)} (reference sketched)`, 'column-statistic'],
              ['p-value', formatPValue(r.pValue), 'column-pvalue'],
              ['Threshold', r.threshold === null ? '—' : r.basis === 'p-value' ? `drift when p ${r.method === 'ks' ? '≤' : '<'} ${formatStat(r.threshold)}` : `drift when the statistic ≥ ${formatStat(r.threshold)}`, 'column-threshold'],
              ['Effect size', r.effect ? <span title={`${r.effect.name}: ${formatStat(r.effect.value)}`}>{r.effect.text}</span> : '—', 'column-effect'],
              ['Rows', `${r.referenceRows.toLocaleString('en')} reference · ${r.currentRows.toLocaleString('en')} current`],
              ...(r.note ? ([['Note', r.note]] as const) : []),
            ]}
          />
        </>
      )}
    </div>
  );
}
