/**
 * Evidently's two-proportion Z-test: k = the smallest value of reference ∪ current; p1, p2 = the
 * shares of rows that are not k; pooled P = (p1 n1 + p2 n2) / (n1 + n2);
 * z = (p1 − p2) / sqrt(P (1 − P) (1/n1 + 1/n2)); two-sided p = 2 (1 − Φ(|z|)). Pure, no Node.
 */
import type { PValueResult } from './chi-square';
import type { ColumnSample } from './samples';
import { normalSf } from './special-functions';
import { sampleSize, unionKeys, valueCounts } from './value-counts';

export function zTest(reference: ColumnSample, current: ColumnSample): PValueResult {
  const n1 = sampleSize(reference);
  const n2 = sampleSize(current);
  if (n1 === 0) throw new Error('z-test: the reference sample is empty');
  if (n2 === 0) throw new Error('z-test: the current sample is empty');
  const refCounts = valueCounts(reference);
  const curCounts = valueCounts(current);
  const keys = unionKeys(refCounts, curCounts);
  // One value on both sides: identical columns, no evidence of change (Evidently's p = 1).
  if (keys.length === 1) return { statistic: 0, pValue: 1 };
  const first = keys[0]!;
  const p1 = (n1 - (refCounts.get(first) ?? 0)) / n1;
  const p2 = (n2 - (curCounts.get(first) ?? 0)) / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  // 2·Φ(−|z|) equals 2 (1 − Φ(|z|)) and keeps its precision in the tail.
  return { statistic: z, pValue: 2 * normalSf(Math.abs(z)) };
}
