import { OrreryError } from '../../../shared/errors';

/**
 * Stops a training job whose watched metric has stopped improving.
 *
 * Each evaluation of the metric is one observe(step, value). An evaluation improves when it beats
 * the best value so far by at least minDelta (strictly, when minDelta is 0: an equal value is no
 * improvement); the first finite value sets the best. NaN and ±Infinity never improve. After
 * `patience` evaluations in a row without improvement, observe answers { stop: true, reason } —
 * on exactly the patience-th one — and keeps answering it from then on.
 */

export interface EarlyStoppingOptions {
  metric: string;
  mode: 'min' | 'max';
  /** Evaluations in a row without improvement before stopping; at least 1. */
  patience: number;
  /** The smallest change that counts as an improvement; 0 when left out. */
  minDelta?: number;
}

export interface EarlyStoppingDecision {
  stop: boolean;
  /** Why, in words a user can read; set when stop is true. */
  reason?: string;
}

export interface BestPoint {
  step: number;
  value: number;
}

function refuse(path: string, problem: string): OrreryError {
  return new OrreryError('INVALID_INPUT', `earlyStopping.${path}: ${problem}`);
}

/** 0.2310, or 1.235e-7 where four decimals would hide the value. */
export function formatMetricValue(value: number): string {
  const abs = Math.abs(value);
  // NaN and ±Infinity fall through to toExponential, which writes them as String(value) does.
  return abs === 0 || (abs >= 1e-3 && abs < 1e6) ? value.toFixed(4) : value.toExponential(3);
}

export class EarlyStopping {
  readonly metric: string;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  private bestPoint: BestPoint | null = null;
  private withoutImprovement = 0;
  private stopReason: string | null = null;

  constructor(options: EarlyStoppingOptions) {
    const { metric, mode, patience } = options;
    const minDelta = options.minDelta ?? 0;
    if (typeof metric !== 'string' || metric.trim() === '') throw refuse('metric', 'must name the metric to watch');
    if (mode !== 'min' && mode !== 'max') throw refuse('mode', `must be "min" or "max", got ${JSON.stringify(mode)}`);
    if (!Number.isInteger(patience) || patience < 1) {
      throw refuse('patience', `must be a whole number of at least 1 evaluation, got ${JSON.stringify(patience)}`);
    }
    if (!Number.isFinite(minDelta) || minDelta < 0) {
      throw refuse('minDelta', `must be a number of at least 0, got ${JSON.stringify(minDelta)}`);
    }
    this.metric = metric;
    this.mode = mode;
    this.patience = patience;
    this.minDelta = minDelta;
  }

  /** One evaluation of the metric. Once it says stop, it says so for every later call. */
  observe(step: number, value: number): EarlyStoppingDecision {
    if (this.stopReason !== null) return { stop: true, reason: this.stopReason };
    if (this.improves(value)) {
      this.bestPoint = { step, value };
      this.withoutImprovement = 0;
      return { stop: false };
    }
    this.withoutImprovement++;
    if (this.withoutImprovement < this.patience) return { stop: false };
    this.stopReason = this.describeStop();
    return { stop: true, reason: this.stopReason };
  }

  /** The best evaluation so far; null before the first finite value. */
  best(): BestPoint | null {
    return this.bestPoint === null ? null : { ...this.bestPoint };
  }

  /** Evaluations in a row without improvement, up to now. */
  get evaluationsWithoutImprovement(): number {
    return this.withoutImprovement;
  }

  get stopped(): boolean {
    return this.stopReason !== null;
  }

  private improves(value: number): boolean {
    if (!Number.isFinite(value)) return false;
    const best = this.bestPoint;
    if (best === null) return true;
    const gain = this.mode === 'min' ? best.value - value : value - best.value;
    // A little slack for binary fractions: 0.2310 → 0.2300 is an improvement of 0.001.
    const slack = 8 * Number.EPSILON * Math.max(1, Math.abs(best.value), Math.abs(value));
    return gain > 0 && gain >= this.minDelta - slack;
  }

  private describeStop(): string {
    const by = this.minDelta > 0 ? ` by ${this.minDelta}` : '';
    const evaluations = `${this.patience} evaluation${this.patience === 1 ? '' : 's'}`;
    const best = this.bestPoint;
    const detail = best === null ? 'no finite value yet' : `best ${formatMetricValue(best.value)} at step ${best.step}`;
    return `early stopping: ${this.metric} has not improved${by} for ${evaluations} (${detail})`;
  }
}
