import type { MethodInput } from '../../../../shared/contract/index';
import type { RolloutStrategy } from '../../../../shared/contract/serving';
import { fieldOfServingError, parseNumberField } from './deployment-form';

/** What the start-rollout dialog edits, as typed. */
export interface RolloutForm {
  version: string;
  strategy: RolloutStrategy;
  /** Comma-separated percentages, "10, 25, 50, 100". */
  steps: string;
  minRequests: string;
  /** Seconds per step at least. */
  intervalSeconds: string;
  /** Percent, "1" for 1 %. */
  maxErrorPercent: string;
  /** Empty: no absolute limit. */
  maxP95Ms: string;
  maxP95Factor: string;
  failureLimit: string;
  shadowShare: string;
  /** Blue-green: seconds the old version stays warm after the switch. */
  keepWarmSeconds: string;
  /** Shadow: percent agreement at which it promotes by itself; empty: promote by hand. */
  shadowMinAgreementPercent: string;
}

export type RolloutField = Exclude<keyof RolloutForm, 'strategy'>;
export type RolloutErrors = Partial<Record<RolloutField | 'form', string>>;
export type StartRolloutInput = MethodInput<'serving.startRollout'>;

/** The defaults of `orrery deploy rollout`, shown in the fields. */
export const ROLLOUT_DEFAULTS: Omit<RolloutForm, 'version' | 'strategy'> = {
  steps: '10, 25, 50, 100',
  minRequests: '50',
  intervalSeconds: '30',
  maxErrorPercent: '1',
  maxP95Ms: '',
  maxP95Factor: '1.5',
  failureLimit: '2',
  shadowShare: '100',
  keepWarmSeconds: '60',
  shadowMinAgreementPercent: '',
};

/**
 * Which settings each strategy acts on; the others are hidden in the dialog and not sent. Rolling
 * has no analysis, so no limits; blue-green judges the new version while the old one is warm.
 */
export const STRATEGY_FIELDS: Record<RolloutStrategy, readonly RolloutField[]> = {
  canary: ['steps', 'minRequests', 'intervalSeconds', 'maxErrorPercent', 'maxP95Ms', 'maxP95Factor', 'failureLimit'],
  'blue-green': ['keepWarmSeconds', 'minRequests', 'maxErrorPercent', 'maxP95Ms', 'maxP95Factor', 'failureLimit'],
  rolling: [],
  shadow: ['shadowShare', 'minRequests', 'shadowMinAgreementPercent', 'maxP95Ms', 'maxP95Factor'],
};

export const STRATEGY_HELP: Record<RolloutStrategy, string> = {
  canary: 'The new version takes a growing share of traffic, step by step; each step is judged on its own requests.',
  'blue-green':
    'The new version starts at full size and takes all traffic at once; the old one stays warm meanwhile, and a new version failing the limits in that time is rolled back to it.',
  rolling: 'Replaces one replica at a time, each ready before the next old one stops; no analysis, so there are no limits to set.',
  shadow: 'The new version gets copies of requests; its answers are compared with stable and thrown away.',
};

/** A field's label and hint in the dialog; the minimum-requests field means something else per strategy. */
export function rolloutFieldText(field: Exclude<RolloutField, 'version'>, strategy: RolloutStrategy): { label: string; hint: string } {
  const d = ROLLOUT_DEFAULTS;
  switch (field) {
    case 'steps':
      return { label: 'Steps (% of traffic)', hint: `default ${d.steps}; the last is 100` };
    case 'minRequests':
      if (strategy === 'shadow') return { label: 'Minimum compared requests', hint: `default ${d.minRequests}; answers compared before any decision` };
      if (strategy === 'blue-green') return { label: 'Minimum requests while warm', hint: `default ${d.minRequests}; the new version is judged once it has had these` };
      return { label: 'Minimum requests per step', hint: `default ${d.minRequests}; below it the rollout waits for traffic` };
    case 'intervalSeconds':
      return { label: 'Minimum time per step (s)', hint: `default ${d.intervalSeconds}` };
    case 'maxErrorPercent':
      return { label: 'Maximum error rate (%)', hint: `default ${d.maxErrorPercent}` };
    case 'maxP95Ms':
      return { label: 'Maximum p95 (ms)', hint: 'default none' };
    case 'maxP95Factor':
      return { label: 'Maximum p95 × stable', hint: `default ${d.maxP95Factor}` };
    case 'failureLimit':
      return { label: 'Failed checks in a row to roll back', hint: `default ${d.failureLimit}` };
    case 'shadowShare':
      return { label: 'Share copied to the shadow (%)', hint: `default ${d.shadowShare}` };
    case 'keepWarmSeconds':
      return { label: 'Keep the old version warm (s)', hint: `default ${d.keepWarmSeconds}; an instant rollback is possible meanwhile` };
    case 'shadowMinAgreementPercent':
      return { label: 'Promote by itself when agreement ≥ (%)', hint: 'empty: promote by hand' };
  }
}

export function initialRolloutForm(version = ''): RolloutForm {
  return { version, strategy: 'canary', ...ROLLOUT_DEFAULTS };
}

/** "10, 25, 50, 100" → [10, 25, 50, 100], or what is wrong with it. */
export function parseSteps(text: string): { steps?: number[]; error?: string } {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return { error: 'Give the traffic steps in percent, like 10, 25, 50, 100.' };
  const steps = parts.map(Number);
  const bad = parts.find((p, i) => !Number.isFinite(steps[i]!) || steps[i]! < 1 || steps[i]! > 100);
  if (bad !== undefined) return { error: `'${bad}' is not a percentage from 1 to 100.` };
  if (steps.length > 20) return { error: 'At most 20 steps.' };
  if (!steps.every((v, i) => i === 0 || v > steps[i - 1]!)) return { error: 'Steps must go up, like 10, 25, 50, 100.' };
  if (steps.at(-1) !== 100) return { error: 'The last step must be 100 (the candidate takes all traffic).' };
  return { steps };
}

/** Checks the fields the strategy uses; the input for serving.startRollout when nothing is wrong. */
export function buildStartRollout(form: RolloutForm, name: string, actor: string): { errors: RolloutErrors; input: StartRolloutInput | null } {
  const errors: RolloutErrors = {};
  const uses = new Set(STRATEGY_FIELDS[form.strategy]);
  const version = form.version.trim();
  if (!/^(?:[1-9]\d*|@[A-Za-z0-9_-]{1,255})$/.test(version)) errors.version = 'Give a version number (3) or an alias (@challenger).';

  const settings: NonNullable<StartRolloutInput['settings']> = {};
  if (uses.has('steps')) {
    const parsed = parseSteps(form.steps);
    if (parsed.error) errors.steps = parsed.error;
    else settings.steps = parsed.steps!;
  }
  const numeric = (field: RolloutField, rule: Parameters<typeof parseNumberField>[1], apply: (v: number) => void) => {
    if (!uses.has(field)) return;
    const parsed = parseNumberField(form[field], rule);
    if (parsed.error) errors[field] = parsed.error;
    else if (parsed.value !== undefined) apply(parsed.value);
  };
  numeric('minRequests', { integer: true, min: 1, max: 1_000_000, label: 'Minimum requests' }, (v) => (settings.minRequests = v));
  numeric('intervalSeconds', { min: 0, max: 86_400, label: 'Interval' }, (v) => (settings.intervalMs = Math.round(v * 1000)));
  numeric('maxErrorPercent', { min: 0, max: 100, label: 'Maximum error rate' }, (v) => (settings.maxErrorRate = v / 100));
  numeric('maxP95Ms', { above: 0, max: 3_600_000, label: 'Maximum p95' }, (v) => (settings.maxP95Ms = v));
  numeric('maxP95Factor', { min: 1, max: 1000, label: 'p95 factor' }, (v) => (settings.maxP95Factor = v));
  numeric('failureLimit', { integer: true, min: 1, max: 1000, label: 'Failure limit' }, (v) => (settings.failureLimit = v));
  numeric('shadowShare', { min: 1, max: 100, label: 'Shadow share' }, (v) => (settings.shadowShare = v));
  numeric('keepWarmSeconds', { min: 0, max: 86_400, label: 'Keep-warm time' }, (v) => (settings.keepWarmMs = Math.round(v * 1000)));
  numeric('shadowMinAgreementPercent', { min: 0, max: 100, label: 'Agreement' }, (v) => (settings.shadowMinAgreement = v / 100));
  if (uses.has('maxP95Ms') && form.maxP95Ms.trim() === '') settings.maxP95Ms = null;
  if (uses.has('shadowMinAgreementPercent') && form.shadowMinAgreementPercent.trim() === '') settings.shadowMinAgreement = null;

  if (Object.keys(errors).length > 0) return { errors, input: null };
  return {
    errors,
    input: { name, version: /^\d+$/.test(version) ? Number(version) : version, strategy: form.strategy, settings, actor },
  };
}

const ROLLOUT_FIELDS: readonly RolloutField[] = ['version', 'steps', 'minRequests', 'maxP95Ms', 'maxP95Factor', 'failureLimit', 'shadowShare'];
const ROLLOUT_KEYWORDS: ReadonlyArray<[RegExp, RolloutField | 'form']> = [
  [/^settings\.intervalMs\b/, 'intervalSeconds'],
  [/^settings\.maxErrorRate\b/, 'maxErrorPercent'],
  [/^settings\.keepWarmMs\b/, 'keepWarmSeconds'],
  [/^settings\.shadowMinAgreement\b/, 'shadowMinAgreementPercent'],
  [/already (running|in progress)|rollout is running/i, 'form'],
  [/\balias\b|\bversion\b|\bnot approved\b/i, 'version'],
];

/** The field a server error about a rollout names ("settings.steps: must end at 100" → steps). */
export function fieldOfRolloutError(message: string): RolloutField | 'form' {
  for (const [pattern, field] of ROLLOUT_KEYWORDS.slice(0, 4)) if (pattern.test(message)) return field;
  return fieldOfServingError<RolloutField | 'form'>(message, ROLLOUT_FIELDS, ROLLOUT_KEYWORDS.slice(4));
}
