import type { MetricValue } from '../../../../shared/contract/tracking';
import { OrreryError } from '../../../../shared/errors';
import type { EvaluateStage, MetricThreshold } from '../pipeline-definition';
import { StageFailure, upstreamRun, type StageContext, type StageOutcome } from './stage-context';

/**
 * Gates on the trained run's metrics: each threshold, then "beat the version in Production (or
 * behind an alias) by at least Δ". With no such version yet the second gate passes, and says so.
 * Every gate is judged and logged before the stage fails, so one run shows all that fell short.
 */
export async function runEvaluateStage(context: StageContext<EvaluateStage>): Promise<StageOutcome> {
  const { stage } = context;
  const runId = upstreamRun(context, stage.from);
  const run = await context.call('tracking.getRun', { runId });
  const failures: string[] = [];
  const valueOf = (metric: string): number | null => {
    const latest = run.metrics[metric];
    return latest ? toNumber(latest.value) : null;
  };

  for (const threshold of stage.thresholds) {
    const value = valueOf(threshold.metric);
    const rule = `${threshold.metric} ${threshold.op} ${threshold.value}`;
    if (value === null) failures.push(`${rule}: the run logged no ${threshold.metric}`);
    else if (!holds(value, threshold)) failures.push(`${rule}: it is ${value}`);
    else context.log(`${rule}: passed (${value})`);
  }
  for (const failure of failures) context.log(failure);

  if (stage.beat) {
    const verdict = await judgeBeat(context, stage.beat, valueOf(stage.beat.metric));
    context.log(verdict.line);
    if (!verdict.passed) failures.push(verdict.line);
  }
  if (failures.length > 0) throw new StageFailure(`evaluation failed: ${failures.join('; ')}`);
  return { runId, message: 'every gate passed' };
}

async function judgeBeat(context: StageContext, beat: NonNullable<EvaluateStage['beat']>, value: number | null): Promise<{ passed: boolean; line: string }> {
  const against = beat.alias !== undefined ? `alias '${beat.alias}' of ${beat.model}` : `${beat.model} in Production`;
  let baseline: number | null = null;
  try {
    const model = await context.call('registry.getModel', { name: beat.model });
    baseline = beat.alias !== undefined ? (model.aliases[beat.alias] ?? null) : model.productionVersion;
  } catch (error) {
    if (!(error instanceof OrreryError && error.code === 'NOT_FOUND')) throw error;
  }
  if (baseline === null) return { passed: true, line: `beat ${against}: there is none yet, so this gate passes` };
  const version = await context.call('registry.getVersion', { name: beat.model, version: baseline });
  const stored = version.metrics[beat.metric];
  const theirs = stored === undefined ? null : toNumber(stored);
  const name = `beat ${against} (version ${baseline}) by ${beat.by} on ${beat.metric}`;
  if (theirs === null) return { passed: false, line: `${name}: version ${baseline} has no ${beat.metric} to compare with` };
  if (value === null) return { passed: false, line: `${name}: the run logged no ${beat.metric}` };
  const margin = beat.mode === 'max' ? value - theirs : theirs - value;
  const passed = margin >= beat.by;
  return { passed, line: `${name}: ${value} against ${theirs} — ${passed ? 'passed' : 'not enough'}` };
}

function toNumber(value: MetricValue): number {
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return value;
}

function holds(value: number, { op, value: bound }: MetricThreshold): boolean {
  switch (op) {
    case '>=':
      return value >= bound;
    case '>':
      return value > bound;
    case '<=':
      return value <= bound;
    case '<':
      return value < bound;
    case '==':
      return value === bound;
  }
}
