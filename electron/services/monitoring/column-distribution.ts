/**
 * The bars a user compares for one column: reference and current shares over the bins the drift
 * tests use (Sturges edges for numeric columns with more than 20 distinct reference values, else
 * one bar per value). Long category lists keep the biggest and gather the rest. Pure, no Node.
 */
import type { ColumnDistributionView, ColumnDriftView } from '../../../shared/contract/monitoring';
import { binsByHistogram, histogramCounts, sturgesEdges } from './stats/binning';
import type { ColumnSample } from './stats/samples';
import { sampleSize, unionKeys, valueCounts } from './stats/value-counts';

const MAX_BARS = 30;

export function columnDistribution(column: string, reference: ColumnSample, current: ColumnSample, result: ColumnDriftView | null): ColumnDistributionView {
  const nRef = sampleSize(reference);
  const nCur = sampleSize(current);
  const base = { column, kind: reference.kind, result };
  if (nRef === 0 && nCur === 0) return { ...base, labels: [], reference: [], current: [] };
  if (reference.kind === 'numeric' && current.kind === 'numeric' && binsByHistogram(reference)) {
    const edges = sturgesEdges(reference.sorted, current.sorted);
    const ref = histogramCounts(reference.sorted, edges);
    const cur = histogramCounts(current.sorted, edges);
    const labels = Array.from({ length: edges.length - 1 }, (_, i) => `${formatEdge(edges[i]!)} – ${formatEdge(edges[i + 1]!)}`);
    return { ...base, labels, reference: shares(ref, nRef), current: shares(cur, nCur) };
  }
  const refCounts = valueCounts(reference);
  const curCounts = valueCounts(current);
  let keys = unionKeys(refCounts, curCounts);
  let rest: { ref: number; cur: number } | null = null;
  if (keys.length > MAX_BARS) {
    // The biggest by reference or current share stay; the others become one "other" bar.
    const weight = (k: string | number) => Math.max((refCounts.get(k) ?? 0) / Math.max(nRef, 1), (curCounts.get(k) ?? 0) / Math.max(nCur, 1));
    const ordered = [...keys].sort((a, b) => weight(b) - weight(a));
    const kept = new Set(ordered.slice(0, MAX_BARS - 1));
    rest = { ref: 0, cur: 0 };
    for (const k of ordered.slice(MAX_BARS - 1)) {
      rest.ref += refCounts.get(k) ?? 0;
      rest.cur += curCounts.get(k) ?? 0;
    }
    keys = keys.filter((k) => kept.has(k));
  }
  const labels = keys.map(String);
  const ref = keys.map((k) => refCounts.get(k) ?? 0);
  const cur = keys.map((k) => curCounts.get(k) ?? 0);
  if (rest) {
    labels.push(`other (${unionKeys(refCounts, curCounts).length - keys.length} values)`);
    ref.push(rest.ref);
    cur.push(rest.cur);
  }
  return { ...base, labels, reference: shares(ref, nRef), current: shares(cur, nCur) };
}

function shares(counts: ArrayLike<number>, n: number): number[] {
  return Array.from(counts, (c) => (n > 0 ? c / n : 0));
}

function formatEdge(x: number): string {
  return Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : String(Number(x.toPrecision(4)));
}
