import type { SweepTrial, SweepView } from '../../../../shared/contract/training';
import type { ParamSpace } from '../../../../shared/contract/training-spec';

type TrialValue = SweepTrial['params'][string];

/**
 * A param's number as people write it: decimals, not exponents ("0.0001", not "1.000e-4"). A value
 * as short as typed (0.0001, 20240601) shows whole; a long sampled one to 5 significant digits
 * (0.000425512… reads 0.00042551). JavaScript only turns to an exponent below 1e-6, where it is clearer.
 */
export function formatParamNumber(n: number): string {
  const plain = String(n);
  if (plain.length <= 10 || !Number.isFinite(n)) return plain;
  return String(Number(n.toPrecision(5)));
}

/** One param's search space in words, after its kind (spaceKind): "0.1, 0.3", "1 to 3, step 1 (whole numbers)", "0.0001 to 0.1". */
export function describeSpace(space: ParamSpace): string {
  if ('values' in space) return space.values.map((v) => (typeof v === 'number' ? formatParamNumber(v) : String(v))).join(', ');
  if ('logUniform' in space) return `${formatParamNumber(space.logUniform.min)} to ${formatParamNumber(space.logUniform.max)}`;
  const range = `${formatParamNumber(space.min)} to ${formatParamNumber(space.max)}`;
  const whole = space.integer ? ' (whole numbers)' : '';
  return space.step === undefined ? `${range}${whole}` : `${range}, step ${formatParamNumber(space.step)}${whole}`;
}

/** What kind of space a param has, for the space table's first column. */
export function spaceKind(space: ParamSpace): string {
  if ('values' in space) return `${space.values.length} ${space.values.length === 1 ? 'value' : 'values'}`;
  if ('logUniform' in space) return 'log-uniform';
  return space.step === undefined ? 'uniform' : 'range with step';
}

/** A param whose space holds one value: every trial has it, so a plot against it says nothing. */
export function isFixedSpace(space: ParamSpace | undefined): boolean {
  if (space === undefined) return false;
  if ('values' in space) return new Set(space.values.map(String)).size <= 1;
  if ('logUniform' in space) return space.logUniform.min === space.logUniform.max;
  return space.min === space.max;
}

export function formatTrialValue(value: TrialValue | undefined): string {
  if (value === undefined) return '—';
  return typeof value === 'number' ? formatParamNumber(value) : String(value);
}

/** How long a trial ran: to its end, or to now while it runs; null while queued. */
export function trialDuration(trial: Pick<SweepTrial, 'startedAt' | 'endedAt'>, now: number): number | null {
  if (trial.startedAt === null) return null;
  return (trial.endedAt ?? now) - trial.startedAt;
}

/** "3 of 8 trials ended", for the panel's title row. */
export function progressText(sweep: Pick<SweepView, 'trials'>): string {
  const ended = sweep.trials.filter((t) => t.status !== 'queued' && t.status !== 'running').length;
  const total = sweep.trials.length;
  return ended === total ? `${total} ${total === 1 ? 'trial' : 'trials'}` : `${ended} of ${total} trials ended`;
}

/** A swept param as a scatter's x axis: numbers as they are, anything else as evenly spaced categories. */
export interface ParamAxis {
  xs: Array<number | null>;
  /** Category labels by x index; null for a numeric param. */
  categories: string[] | null;
  /** A log-uniform param, or numbers spanning more than 2 decades, read better on a log axis. */
  log: boolean;
}

export function paramAxis(values: ReadonlyArray<TrialValue | undefined>, space: ParamSpace | undefined): ParamAxis {
  const present = values.filter((v): v is TrialValue => v !== undefined);
  if (present.every((v) => typeof v === 'number')) {
    const numbers = present as number[];
    const positive = numbers.length > 0 && numbers.every((n) => n > 0);
    const spread = positive ? Math.max(...numbers) / Math.min(...numbers) : 0;
    const log = positive && ((space !== undefined && 'logUniform' in space) || spread >= 100);
    return { xs: values.map((v) => (typeof v === 'number' ? v : null)), categories: null, log };
  }
  // The space's own order when it lists the values; else the order trials first used them.
  const order = space && 'values' in space ? space.values.map(String) : [];
  for (const v of present) if (!order.includes(String(v))) order.push(String(v));
  return { xs: values.map((v) => (v === undefined ? null : order.indexOf(String(v)))), categories: order, log: false };
}
