/**
 * Labelled performance of a window: each logged row's prediction against the ground truth posted
 * for its request. Classification (labels are text, booleans, or integers on both sides):
 * accuracy, precision, recall and F1 (of the positive class when there are two classes, macro
 * averages otherwise) and ROC AUC when the model answers probabilities; regression: MAE, RMSE, R².
 * Pure, no Node.
 */
import type { PerformanceView } from '../../../shared/contract/monitoring';
import { predictionValue } from './logged-window';

export interface LabelledRow {
  prediction: unknown;
  label: unknown;
}

const MAX_CLASSES = 50;

export function performanceOf(rows: readonly LabelledRow[], predictionKey: string): PerformanceView | null {
  const usable = rows
    .map((r) => ({ predicted: predictionValue(r.prediction, predictionKey), scores: probabilities(r.prediction), label: r.label }))
    .filter((r) => r.label !== null && r.label !== undefined && (isScalar(r.predicted) || r.scores !== null));
  if (usable.length === 0) return null;
  const integersOnly = usable.every((r) => Number.isInteger(r.label) && (r.predicted === undefined || Number.isInteger(r.predicted)));
  const textual = usable.every((r) => typeof r.label === 'string' || typeof r.label === 'boolean');
  const classes = new Set(usable.map((r) => String(r.label)));
  if (textual || (integersOnly && classes.size <= MAX_CLASSES)) return classification(usable);
  const numeric = usable.filter((r): r is { predicted: number; scores: number[] | null; label: number } => typeof r.label === 'number' && typeof r.predicted === 'number');
  return numeric.length ? regression(numeric) : null;
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** Class probabilities: a list of numbers, or an object's `probabilities` list. */
function probabilities(prediction: unknown): number[] | null {
  const list = Array.isArray(prediction) ? prediction : prediction && typeof prediction === 'object' ? (prediction as Record<string, unknown>).probabilities : undefined;
  return Array.isArray(list) && list.length >= 2 && list.every((x) => typeof x === 'number') ? (list as number[]) : null;
}

function classification(rows: Array<{ predicted: unknown; scores: number[] | null; label: unknown }>): PerformanceView {
  const predictedOf = (r: (typeof rows)[number]) => (isScalar(r.predicted) ? String(r.predicted) : String(argmax(r.scores!)));
  const labels = rows.map((r) => String(r.label));
  const predicted = rows.map(predictedOf);
  const classes = [...new Set([...labels, ...predicted])].sort(compareClasses);
  const correct = labels.filter((l, i) => l === predicted[i]).length;
  const perClass = classes.map((c) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < labels.length; i++) {
      if (predicted[i] === c && labels[i] === c) tp++;
      else if (predicted[i] === c) fp++;
      else if (labels[i] === c) fn++;
    }
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
  });
  const binary = classes.length === 2;
  const positive = binary ? perClass[1]! : null;
  const mean = (key: 'precision' | 'recall' | 'f1') => perClass.reduce((s, c) => s + c[key], 0) / perClass.length;
  let rocAuc: number | null = null;
  if (binary && rows.every((r) => r.scores !== null && r.scores.length === 2)) {
    rocAuc = rocAucOf(rows.map((r) => r.scores![1]!), labels.map((l) => l === classes[1]));
  }
  return {
    task: 'classification',
    labelled: rows.length,
    accuracy: correct / rows.length,
    precision: positive ? positive.precision : mean('precision'),
    recall: positive ? positive.recall : mean('recall'),
    f1: positive ? positive.f1 : mean('f1'),
    rocAuc,
  };
}

/** "0" < "1" < "10" numerically when both are numbers; else text order; so the positive class of {0, 1} or {false, true} is the second. */
function compareClasses(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** The Mann-Whitney form of ROC AUC, ties counted half; null when one class is absent. */
export function rocAucOf(scores: readonly number[], positive: readonly boolean[]): number | null {
  const order = scores.map((s, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPositive = 0;
  let positives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (positive[order[k]!]) {
        rankSumPositive += averageRank;
        positives++;
      }
    }
    i = j + 1;
  }
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSumPositive - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function regression(rows: Array<{ predicted: number; label: number }>): PerformanceView {
  const n = rows.length;
  let absolute = 0;
  let squared = 0;
  let mean = 0;
  for (const r of rows) mean += r.label / n;
  let total = 0;
  for (const r of rows) {
    const e = r.predicted - r.label;
    absolute += Math.abs(e);
    squared += e * e;
    total += (r.label - mean) ** 2;
  }
  return { task: 'regression', labelled: n, mae: absolute / n, rmse: Math.sqrt(squared / n), r2: total > 0 ? 1 - squared / total : null };
}
