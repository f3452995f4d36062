/**
 * Mean and population standard deviation of a sorted sample, weights respected (numpy's `np.mean`
 * and `np.std`, ddof 0, computed in two passes like numpy). Pure, no Node.
 */
import { CompensatedSum } from './compensated-sum';
import type { SortedSample } from './samples';

export interface Moments {
  mean: number;
  std: number;
}

export function sampleMoments(sample: SortedSample): Moments {
  const { values, weights } = sample;
  if (values.length === 0) throw new Error('sample moments: the sample is empty');
  const total = new CompensatedSum();
  const weighted = new CompensatedSum();
  for (let i = 0; i < values.length; i++) {
    const w = weights === null ? 1 : weights[i]!;
    total.add(w);
    weighted.add(w * values[i]!);
  }
  const mean = weighted.value / total.value;
  const squares = new CompensatedSum();
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - mean;
    squares.add((weights === null ? 1 : weights[i]!) * d * d);
  }
  return { mean, std: Math.sqrt(squares.value / total.value) };
}
