import { useState } from 'react';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { ColumnResult } from '../monitoring/ColumnResult';
import { DriftTable } from '../monitoring/DriftTable';
import { ExportButtons } from '../monitoring/ExportButtons';
import { QualityTable } from '../monitoring/QualityTable';
import { formatShare } from '../monitoring/monitoring-format';
import type { Comparison } from './CompareDatasetsPage';
import type { CompareInput } from './compare-form';
import { driftTone } from '../monitoring/monitoring-tones';

/** The comparison: the dataset verdict, the per-column table, the chosen column's distributions, and data quality. */
export function CompareResult({ input, report }: { input: CompareInput; report: Comparison }) {
  const firstDrifting = report.columns.find((c) => c.drift === true)?.column ?? report.columns[0]?.column ?? null;
  const [chosen, setChosen] = useState<string | null>(null);
  const column = chosen !== null && report.columns.some((c) => c.column === chosen) ? chosen : firstDrifting;
  const distribution = report.distributions.find((d) => d.column === column) ?? null;
  return (
    <>
      <Card title="Verdict" testId="compare-verdict" className="deploy-span-all" aside={<ExportButtons input={input} testId="compare-export" />}>
        <p>
          <Badge tone={driftTone(report.datasetDrift)} testId="compare-dataset-drift">
            {report.datasetDrift === null ? 'not enough data' : report.datasetDrift ? 'dataset drift' : 'no dataset drift'}
          </Badge>{' '}
          <span data-testid="compare-drift-summary">
            {report.driftedColumns} of {report.testedColumns} columns drifted ({formatShare(report.driftShare)}; dataset drift at {formatShare(report.driftShareThreshold)})
          </span>
        </p>
        <p className="small muted">
          {report.referenceRows.toLocaleString('en')} reference rows ({report.referenceForm === 'exact' ? 'exact' : 'sketched: statistics carry an error bound'}) · {report.currentRows.toLocaleString('en')} current rows · took {Math.round(report.tookMs).toLocaleString('en')} ms
        </p>
      </Card>
      <Card title="Columns" testId="compare-columns" className="deploy-span-all">
        <DriftTable columns={report.columns} selected={column} onSelect={setChosen} testId="compare-drift-table" />
      </Card>
      {distribution && (
        <Card title="Distribution" testId="compare-distribution" className="deploy-span-all">
          <ColumnResult distribution={distribution} />
        </Card>
      )}
      <Card title="Data quality" testId="compare-quality" className="deploy-span-all">
        <QualityTable quality={report.quality} />
      </Card>
    </>
  );
}
