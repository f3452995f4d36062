import type { DataQualityView } from '../../../shared/contract/monitoring';
import type { QualityReport } from './data-quality';

/** The data-quality report as the contract shows it: per column its measures and the names of those over their threshold. */
export function qualityView(report: QualityReport): DataQualityView {
  const columns = report.columns.map((q) => {
    const breaches: string[] = [];
    if (q.missing.breached) breaches.push('missing');
    if (q.outOfRange?.breached) breaches.push('out-of-range');
    if (q.newCategories?.breached) breaches.push('new-category');
    if (q.typeMismatches.breached) breaches.push('type-mismatch');
    if (q.nonFinite.breached) breaches.push('non-finite');
    if (q.constant.breached) breaches.push('constant');
    return {
      column: q.column,
      kind: q.kind,
      rows: q.rows,
      missingShare: q.missing.value,
      referenceMissingShare: q.missing.reference,
      outOfRangeShare: q.outOfRange ? q.outOfRange.value : null,
      newCategoryShare: q.newCategories ? q.newCategories.value : null,
      typeMismatches: q.typeMismatches.count,
      nonFinite: q.nonFinite.count,
      constant: q.constant.breached,
      breaches,
    };
  });
  const schemaBreaches = (report.schema.missingColumns.breached ? 1 : 0) + (report.schema.extraColumns.breached ? 1 : 0);
  return {
    missingColumns: report.missingColumns,
    extraColumns: report.extraColumns,
    columns,
    breaches: columns.reduce((n, c) => n + c.breaches.length, 0) + schemaBreaches,
  };
}
