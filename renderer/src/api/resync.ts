import type { OrreryClient } from '../../../shared/client';
import { RESYNC_TOPIC } from '../../../shared/contract/index';

/**
 * Calls `reload` whenever events may have been missed: the event stream came back after a drop
 * (the app drops a page that fell behind) and is subscribed again. Anything kept current by
 * events re-reads then, or it would show a state the app left long ago. Returns the unsubscribe.
 */
export function reloadOnResync(client: OrreryClient, reload: () => void): () => void {
  return client.on(RESYNC_TOPIC, () => reload());
}
