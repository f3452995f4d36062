import type { MethodInput } from '../../../../shared/contract/index';
import { ALIAS_NAME, MODEL_NAME } from '../../../../shared/contract/registry';

/** What the create-deployment dialog edits, as typed (numbers are parsed on submit). */
export interface DeploymentForm {
  name: string;
  model: string;
  /** "3" or "@champion". */
  version: string;
  replicas: string;
  cpus: string;
  memoryGb: string;
  gpus: string;
  port: string;
  image: string;
  timeoutSeconds: string;
  requireApproval: boolean;
  requireToken: boolean;
  logRequests: boolean;
  promoteAlias: string;
}

export type CreateDeploymentInput = MethodInput<'serving.createDeployment'>;

/** Field keys errors are shown against; 'form' is an error that names no field. */
export type FieldErrors = Partial<Record<keyof DeploymentForm | 'form', string>>;

/** The service's defaults, shown in the fields so the user sees what they get. */
export const DEPLOYMENT_DEFAULTS = { replicas: '1', cpus: '0.5', memoryGb: '0.5', gpus: '0', image: 'orrery/serve:local', timeoutSeconds: '60' } as const;

const DEPLOYMENT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const VERSION_REF = /^(?:\d+|@[A-Za-z0-9_-]{1,255})$/;

export function initialDeploymentForm(prefill: { model?: string; version?: string } = {}): DeploymentForm {
  const model = prefill.model ?? '';
  const version = prefill.version ?? '';
  return {
    name: suggestDeploymentName(model),
    model,
    version,
    ...DEPLOYMENT_DEFAULTS,
    port: '',
    requireApproval: false,
    requireToken: false,
    logRequests: true,
    promoteAlias: '',
  };
}

/** A deployment name from the model's: lowercase, other characters as '-', at most 63. */
export function suggestDeploymentName(model: string): string {
  return model
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

interface NumberRule {
  integer?: boolean;
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  max: number;
  label: string;
}

/** One numeric field: its number, or the error to show under it. Empty gives undefined (the default). */
export function parseNumberField(text: string, rule: NumberRule): { value?: number; error?: string } {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { error: `'${trimmed}' is not a number.` };
  if (rule.integer && !Number.isInteger(value)) return { error: `${rule.label} must be a whole number.` };
  if (rule.above !== undefined && value <= rule.above) return { error: `${rule.label} must be more than ${rule.above}.` };
  if (rule.min !== undefined && value < rule.min) return { error: `${rule.label} must be ${rule.min}–${rule.max}.` };
  if (value > rule.max) return { error: `${rule.label} must be at most ${rule.max}.` };
  return { value };
}

/** Checks every field; the input for serving.createDeployment when nothing is wrong. */
export function buildCreateDeployment(form: DeploymentForm, actor: string): { errors: FieldErrors; input: CreateDeploymentInput | null } {
  const errors: FieldErrors = {};
  const name = form.name.trim();
  if (name === '') errors.name = 'Name the deployment (lowercase letters, digits and -).';
  else if (!DEPLOYMENT_NAME.test(name)) errors.name = "Use 1–63 lowercase letters, digits or '-', starting with a letter or digit.";
  const model = form.model.trim();
  if (model === '') errors.model = 'Pick the registered model to serve.';
  else if (!MODEL_NAME.test(model)) errors.model = "Letters, digits, '.', '_' or '-', starting with a letter or digit.";
  const version = form.version.trim();
  if (version === '') errors.version = 'Give a version number (3) or an alias (@champion).';
  else if (!VERSION_REF.test(version) || version === '0') errors.version = 'Give a version number (3) or an alias (@champion).';

  const numbers = {
    replicas: parseNumberField(form.replicas, { integer: true, min: 1, max: 16, label: 'Replicas' }),
    cpus: parseNumberField(form.cpus, { above: 0, max: 1024, label: 'CPUs' }),
    memoryGb: parseNumberField(form.memoryGb, { above: 0, max: 4096, label: 'Memory' }),
    gpus: parseNumberField(form.gpus, { integer: true, min: 0, max: 64, label: 'GPUs' }),
    port: parseNumberField(form.port, { integer: true, min: 1024, max: 65535, label: 'Port' }),
    timeoutSeconds: parseNumberField(form.timeoutSeconds, { above: 0, max: 3600, label: 'Timeout' }),
  };
  for (const [key, parsed] of Object.entries(numbers)) if (parsed.error) errors[key as keyof typeof numbers] = parsed.error;
  const alias = form.promoteAlias.trim().replace(/^@/, '');
  if (alias !== '' && !ALIAS_NAME.test(alias)) errors.promoteAlias = "An alias holds only letters, digits, '_' or '-'.";

  if (Object.keys(errors).length > 0) return { errors, input: null };
  const input: CreateDeploymentInput = {
    name,
    model,
    version: /^\d+$/.test(version) ? Number(version) : version,
    replicas: numbers.replicas.value ?? 1,
    requireApproval: form.requireApproval,
    requireToken: form.requireToken,
    logRequests: form.logRequests,
    promoteAlias: alias === '' ? null : alias,
    actor,
  };
  if (numbers.cpus.value !== undefined) input.cpus = numbers.cpus.value;
  if (numbers.memoryGb.value !== undefined) input.memoryGb = numbers.memoryGb.value;
  if (numbers.gpus.value !== undefined) input.gpus = numbers.gpus.value;
  if (numbers.port.value !== undefined) input.port = numbers.port.value;
  if (numbers.timeoutSeconds.value !== undefined) input.timeoutSeconds = numbers.timeoutSeconds.value;
  if (form.image.trim() !== '') input.image = form.image.trim();
  return { errors, input };
}

/** Words in a server message that point at one field, tried after its leading "field: " path. */
const CREATE_KEYWORDS: ReadonlyArray<[RegExp, keyof DeploymentForm]> = [
  [/\bport\b/i, 'port'],
  [/\bGPUs?\b/, 'gpus'],
  [/\bCPUs?\b/, 'cpus'],
  [/\bmemory\b/i, 'memoryGb'],
  [/\bimage\b|\bflavou?rs?\b|\bMLmodel\b/i, 'image'],
  [/\balias\b|\bversion\b|\bnot approved\b/i, 'version'],
  [/\bmodel\b/i, 'model'],
  [/\bdeployment\b.*\b(exists|taken)\b/i, 'name'],
];

/**
 * The field a server error is about: its leading path ("port: 8080 is in use" → port), else a
 * word it names (a GPU held by a job → gpus); 'form' when none fits.
 */
export function fieldOfServingError<F extends string>(message: string, fields: readonly F[], keywords: ReadonlyArray<[RegExp, F]>): F | 'form' {
  const lead = /^([A-Za-z][\w]*)(?:\.[\w.[\]]+)?:\s/.exec(message);
  if (lead) {
    const path = lead[1]!;
    const direct = fields.find((f) => f === path);
    if (direct) return direct;
    // Nested paths: settings.steps → steps.
    const nested = /^[A-Za-z]\w*\.(\w+)/.exec(message);
    const inner = nested ? fields.find((f) => f === nested[1]) : undefined;
    if (inner) return inner;
  }
  for (const [pattern, field] of keywords) if (pattern.test(message)) return field;
  return 'form';
}

const CREATE_FIELDS: ReadonlyArray<keyof DeploymentForm> = [
  'name',
  'model',
  'version',
  'replicas',
  'cpus',
  'memoryGb',
  'gpus',
  'port',
  'image',
  'timeoutSeconds',
  'promoteAlias',
];

export function fieldOfCreateError(message: string): keyof DeploymentForm | 'form' {
  return fieldOfServingError(message, CREATE_FIELDS, CREATE_KEYWORDS);
}
