import type { OrreryError } from '../../../shared/errors';
import { invalid } from '../../../shared/errors';
import { limits, validateExperimentId, validateKey, validateRunId, validateSafeInteger, validateStringValue } from '../../../shared/tracking-limits';

/**
 * MLflow's request-parameter checks, in MLflow's words and with its parameter names, made before
 * the service is called: the service's own refusals name the contract's fields instead.
 */

export function missing(name: string): OrreryError {
  return invalid(`Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`);
}

/** A metric, param or tag key. */
export function mlflowKey(raw: unknown, name: string): string {
  if (typeof raw !== 'string' || raw === '') throw missing(name);
  return validateKey(raw, name);
}

export function mlflowString(raw: unknown, name: string, max: number): string {
  if (raw === undefined || raw === null) throw missing(name);
  return validateStringValue(raw, name, max);
}

/** A step, timestamp or time: the fallback when left out, else missing. */
export function mlflowInteger(raw: unknown, name: string, fallback?: number): number {
  if ((raw === undefined || raw === null || raw === '') && fallback === undefined) throw missing(name);
  return validateSafeInteger(raw, name, fallback);
}

export function mlflowExperimentId(raw: unknown, name = 'experiment_id'): string {
  if (raw === undefined || raw === null || raw === '') throw missing(name);
  return validateExperimentId(raw, name);
}

export function mlflowRunId(raw: unknown, name = 'run_id'): string {
  if (raw === undefined || raw === null || raw === '') throw missing(name);
  return validateRunId(raw, name);
}

/**
 * An experiment name (experiments/create `name`, experiments/update `new_name`), trimmed. MLflow
 * words a blank new_name without its usual pointer to the API docs.
 */
export function mlflowExperimentName(raw: unknown, name: 'name' | 'new_name'): string {
  const text = mlflowString(raw, name, limits.experimentNameLength).trim();
  if (text !== '') return text;
  throw name === 'name' ? missing(name) : invalid(`Missing value for required parameter '${name}'.`);
}
