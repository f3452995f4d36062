import { RESYNC_TOPIC, type ResyncEvent } from '../../../shared/contract/index';

/**
 * One server-sent event as it goes on the wire. JSON.stringify never emits a raw line break, so
 * the payload always fits on the one `data:` line and needs no escaping.
 */
export function sseEvent(event: string, payload: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
}

/** A comment line: ignored by readers, used to open the stream and keep idle proxies from closing it. */
export function sseComment(text: string): string {
  return `: ${text}\n\n`;
}

/** The last event of a stream dropped because its reader fell behind: tells the client to re-read. */
export const fellBehindFrame = sseEvent(RESYNC_TOPIC, { reason: 'fell-behind' } satisfies ResyncEvent);
