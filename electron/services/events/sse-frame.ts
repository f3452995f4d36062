import { RESYNC_TOPIC, SEQ_MARK_EVENT, type ResyncEvent } from '../../../shared/contract/index';

/**
 * One server-sent event as it goes on the wire. JSON.stringify never emits a raw line break, so
 * the payload always fits on the one `data:` line and needs no escaping. `id` (the bus's sequence
 * number) lets a client that switches streams drop events it already had.
 */
export function sseEvent(event: string, payload: unknown, id?: number): string {
  const idLine = id === undefined ? '' : `id: ${id}\n`;
  return `event: ${event}\ndata: ${JSON.stringify(payload)}\n${idLine}\n`;
}

/** A comment line: ignored by readers, used to open the stream and keep idle proxies from closing it. */
export function sseComment(text: string): string {
  return `: ${text}\n\n`;
}

/** The last event of a stream dropped because its reader fell behind: tells the client to re-read. */
export const fellBehindFrame = sseEvent(RESYNC_TOPIC, { reason: 'fell-behind' } satisfies ResyncEvent);

/** Tells a stream that every event numbered up to `seq` has been written to it (see EVENT_SEQ_HEADER). */
export function sseSeqMark(seq: number): string {
  return sseEvent(SEQ_MARK_EVENT, {}, seq);
}
