import { PARENT_RUN_TAG } from '../../../shared/contract/tracking';
import { invalid } from '../../../shared/errors';
import { quote, validateKey } from '../../../shared/tracking-limits';

/** Orrery's own run tags (job id, runner, end reason, re-run source): bookkeeping, written only by Orrery. */
export const ORRERY_TAG_PREFIX = 'orrery.';

/**
 * The tags the app's run pages may change. A tag set through RPC passes the same key rule as
 * MLflow REST's runs/set-tag; Orrery's `orrery.*` tags and the parent link are not the user's to
 * edit (a hand-set `orrery.job-id` would show another job's log; a new parent moves the run
 * between trees, which MLflow REST refuses jobs too).
 */
export function checkAppTagKey(key: string, action: 'set' | 'delete'): string {
  // Deleting needs no character rule: a key that breaks it cannot be set now, and one set before can still go.
  const checked = action === 'set' ? validateKey(key, 'key') : key;
  if (checked.startsWith(ORRERY_TAG_PREFIX)) {
    throw invalid(`key: ${quote(checked)} is one of Orrery's own tags (${ORRERY_TAG_PREFIX}*), which only Orrery sets; the app may not ${action} it.`);
  }
  if (checked === PARENT_RUN_TAG) {
    throw invalid(`key: ${PARENT_RUN_TAG} links a run to its parent run; the app may not ${action} it.`);
  }
  return checked;
}
