import type { AlertView } from '../../../../shared/contract/monitoring';
import type { PipelineIncidentFields } from './alert-repository';

/** A pipeline run that failed, or a run a trigger asked for that could not start. */
export interface PipelineFailure {
  /** The pipeline file, absolute: the incident's identity (one open per file). */
  file: string;
  name: string;
  /** The failed run; null when a trigger's run could not start (the file became invalid). */
  runId: string | null;
  /** The stage that failed; null when none did (the run failed before any, or did not start). */
  stage: string | null;
  error: string;
  /** For a run that could not start: what asked for it ("cron 0 3 * * *"). */
  trigger?: string | null;
}

export const PIPELINE_ALERT_TITLE = 'Pipeline failed';

/** Enough of an error to read in the inbox, a notification or a chat message; the run's page has the rest. */
const MAX_ERROR_CHARS = 500;

/**
 * The incident after one more failure: opened firing (and notified) by the first failure of a
 * streak; a later one keeps when it started and whether it was told, and points at the newest
 * failed run.
 */
export function failedIncident(open: AlertView | null, failure: PipelineFailure, at: number): PipelineIncidentFields {
  const failures = (open?.pipeline?.failures ?? 0) + 1;
  const error = shorten(failure.error.trim() || 'no error message');
  const pipeline = { file: failure.file, name: failure.name, runId: failure.runId, stage: failure.stage, error, failures };
  return {
    ...pipeline,
    title: PIPELINE_ALERT_TITLE,
    state: 'firing',
    message: pipelineFailureMessage(pipeline, failure.trigger ?? null),
    startedAt: open?.startedAt ?? at,
    firingAt: open?.firingAt ?? at,
    resolvedAt: null,
    notifiedAt: open ? open.notifiedAt : at,
  };
}

/** The incident once a run of its pipeline succeeded: resolved, still saying what had failed. */
export function recoveredIncident(open: AlertView, at: number): PipelineIncidentFields {
  if (!open.pipeline) throw new Error(`alert ${open.id} is not a pipeline alert`);
  return {
    ...open.pipeline,
    title: open.name,
    state: 'resolved',
    message: open.message,
    startedAt: open.startedAt,
    firingAt: open.firingAt,
    resolvedAt: at,
    notifiedAt: open.notifiedAt,
  };
}

/**
 * "pipeline digits failed at stage 'train' (run 1a2b3c4d): exited with code 1; 3 failures in a row",
 * or "pipeline digits could not start (cron 0 3 * * *): stages[2].needs: …".
 */
export function pipelineFailureMessage(p: { name: string; runId: string | null; stage: string | null; error: string; failures: number }, trigger: string | null): string {
  const what =
    p.runId === null
      ? `pipeline ${p.name} could not start${trigger ? ` (${trigger})` : ''}`
      : `pipeline ${p.name} failed${p.stage !== null ? ` at stage '${p.stage}'` : ''} (run ${p.runId})`;
  return `${what}: ${p.error}${p.failures > 1 ? `; ${p.failures} failures in a row` : ''}`;
}

function shorten(text: string): string {
  return text.length <= MAX_ERROR_CHARS ? text : `${text.slice(0, MAX_ERROR_CHARS - 1)}…`;
}
