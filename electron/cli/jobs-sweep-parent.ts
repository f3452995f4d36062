import type { OrreryClient } from '../../shared/client';
import { SWEEP_TAG } from '../../shared/contract/training';
import { OrreryError } from '../../shared/errors';

/** The trials named in the refusal; the rest are counted. */
const TRIALS_SHOWN = 5;

/**
 * `jobs wait/logs/cancel ID` where no job has that id: when ID is a sweep's parent run (it groups
 * the trials and has no job of its own), the error says so and names its trials' jobs; otherwise
 * the service's NOT_FOUND stands. Always throws.
 */
export async function refuseUnknownJob(client: OrreryClient, id: string, notFound: OrreryError, verb: 'wait' | 'logs' | 'cancel'): Promise<never> {
  let run: { name: string; tags: Record<string, string> };
  try {
    run = await client.call('tracking.getRun', { runId: id });
  } catch {
    throw notFound;
  }
  if (run.tags[SWEEP_TAG] !== 'true') throw notFound;
  let trials: { jobId: string; name: string; status: string }[] = [];
  try {
    trials = (await client.call('training.getSweep', { runId: id })).trials;
  } catch {
    // The trials are only named to help; the refusal stands without them.
  }
  const shown = trials.slice(0, TRIALS_SHOWN).map((t) => `\n  ${t.jobId}  ${t.name}  ${t.status}`);
  const more = trials.length > TRIALS_SHOWN ? `\n  … and ${trials.length - TRIALS_SHOWN} more (orrery jobs list)` : '';
  const list = trials.length > 0 ? ` Its trials:${shown.join('')}${more}` : ' See its trials with orrery jobs list or on the run\'s page.';
  throw new OrreryError(
    'INVALID_INPUT',
    `ID: ${id} is the parent run of the sweep ${run.name}; it only groups the trials and has no job of its own. Run orrery jobs ${verb} with a trial's job id instead.${list}`,
  );
}
